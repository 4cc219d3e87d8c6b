from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form (as non-field errors), keeping what was entered."""
    for message in exc.messages:
        form.add_error(None, message)
