from huey import crontab

from shuangfang.core.schedule import periodic


# Huey reads crontabs in UTC: 18:40 UTC is 02:40 in Asia/Shanghai, the night after a period ends.
@periodic(crontab(hour="18", minute="40"))
def generate_reports() -> None:
    """Daily: the reports of the month and quarter that just ended, where they are missing."""
    from .services import generate_due

    generate_due()
