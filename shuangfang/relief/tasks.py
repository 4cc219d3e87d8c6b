from huey import crontab

from shuangfang.core.schedule import periodic


@periodic(crontab(hour="8", minute="20"))
def remind_overdue_letters() -> None:
    """Daily: reminder letters whose answer is overdue (each told once per due date)."""
    from .letters import remind_overdue

    remind_overdue()


@periodic(crontab(hour="7", minute="50"))
def alert_period_ended() -> None:
    """Daily: people still in the station after their assistance period (told once per end date)."""
    from .stay import alert_period_ended as run

    run()


@periodic(crontab(hour="3", minute="40"))
def anonymise_old_cases() -> None:
    """Daily: anonymise people whose last case closed longer ago than the retention period."""
    from .retention import anonymise_due

    anonymise_due()
