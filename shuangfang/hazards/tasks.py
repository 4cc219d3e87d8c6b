from huey import crontab

from shuangfang.core.schedule import periodic


@periodic(crontab(minute="5"))
def hazard_reminders() -> None:
    """Hourly: deadline-approaching and overdue reminders (each sent once per deadline)."""
    from .services import send_reminders

    send_reminders()
