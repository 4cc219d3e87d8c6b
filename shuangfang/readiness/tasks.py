from huey import crontab

from shuangfang.core.schedule import periodic


@periodic(crontab(minute="20", hour="0"))
def training_reminders() -> None:
    """Daily (08:20 in Shanghai): training due or overdue, certificates expiring, plans to review,
    supplies low or expiring (each told once)."""
    from . import emergency, training

    training.send_reminders()
    emergency.send_reminders()
