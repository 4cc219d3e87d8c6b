from huey import crontab

from shuangfang.core.schedule import periodic


@periodic(crontab(hour="6", minute="40"))
def create_due_revisits() -> None:
    """Daily: the at-risk register's revisits of the current period (January and July), idempotent."""
    from .register import sweep

    sweep()
