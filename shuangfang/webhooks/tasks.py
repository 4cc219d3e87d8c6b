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


@db_task()
def send_mem_now() -> int:
    """Kicked after the commit that queued regulator-upload changes: send them at once."""
    from django.core.cache import cache

    from .mem import SEND_PENDING, send_due

    cache.delete(SEND_PENDING)
    return send_due()


@periodic(crontab(minute="*"))
def mem_upload_retries() -> int:
    """Every minute: the regulator-upload batches whose retry is due (nothing while it is off)."""
    from .mem import send_due

    return send_due()


@periodic(crontab(minute="*/5"))
def mem_upload_sweep() -> int:
    """Every five minutes: the records changed in the last hour compared with what was last queued
    for the regulator (edits that publish no event, records deleted since), then sent."""
    from .mem import collect, send_due

    queued = collect()
    send_due()
    return queued


@periodic(crontab(hour="19", minute="40"))
def mem_upload_full_sweep() -> int:
    """Nightly (03:40 Shanghai): every record compared, whatever its age (nothing while it is off)."""
    from .mem import collect, send_due

    queued = collect(full=True)
    send_due()
    return queued
