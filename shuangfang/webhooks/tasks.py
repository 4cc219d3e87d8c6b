from huey import crontab

from shuangfang.core.schedule import periodic


@periodic(crontab(minute="*"))
def webhook_deliveries() -> None:
    """Every minute: the webhook deliveries that are due (new ones and retries)."""
    from .services import send_due

    send_due()
