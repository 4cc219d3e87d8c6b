from huey import crontab
from huey.contrib.djhuey import db_task

from shuangfang.core.schedule import periodic


@db_task()
def send_webhooks_now() -> int:
    """Kicked after the commit that wrote deliveries: send what is due at once."""
    from django.core.cache import cache

    from .services import SEND_PENDING, send_due

    # Taken before sending: deliveries committed from now on kick again; earlier ones are sent here.
    cache.delete(SEND_PENDING)
    return send_due()


@periodic(crontab(minute="*"))
def webhook_deliveries() -> None:
    """Every minute: the retries that are due, and anything a lost kick left behind."""
    from .services import send_due

    send_due()
