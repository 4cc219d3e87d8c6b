from huey import crontab

from shuangfang.core.schedule import periodic


@periodic(crontab(hour="6", minute="40"))
def create_due_revisits() -> None:
    """Daily: the at-risk register's revisits of the current period (January and July), idempotent."""
    from .register import sweep

    sweep()


@periodic(crontab(hour="3", minute="50"))
def anonymise_old_outreach() -> None:
    """Daily: anonymise encounters, gate visits, staff checks and removed register entries older
    than the retention period (idempotent: rows are marked when anonymised)."""
    from .retention import anonymise_due

    anonymise_due()
