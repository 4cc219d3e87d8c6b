from huey import crontab

from shuangfang.core.schedule import periodic


@periodic(crontab(minute="*/10"))
def food_sweep() -> None:
    """Every ten minutes: today's usual meals, missed meal samples, light or early-disposed samples."""
    from .sweeps import sweep

    sweep()


@periodic(crontab(hour="1", minute="15"))
def food_reminders() -> None:
    """Daily (09:15 in China): health certificates and supplier licences about to expire."""
    from .sweeps import send_reminders

    send_reminders()
