from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="5"))
def hazard_reminders() -> None:
    """Hourly: deadline-approaching and overdue reminders (each sent once per deadline)."""
    from .services import send_reminders

    send_reminders()
