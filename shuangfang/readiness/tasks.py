from huey import crontab

from shuangfang.core.schedule import periodic


@periodic(crontab(minute="20", hour="0"))
def training_reminders() -> None:
    """Daily (08:20 in Shanghai): training due or overdue, certificates expiring, plans to review,
    supplies low or expiring (each told once)."""
    from . import emergency, training

    training.send_reminders()
    emergency.send_reminders()


@periodic(crontab(minute="30", hour="0"))
def spot_check_tasks() -> None:
    """Daily (08:30 in Shanghai): each bureau whose spot-check rule names an inspector gets this
    quarter's spot-check tasks (made once per quarter and institution; on the first day of a
    quarter, the new quarter's)."""
    from . import bureau
    from .models import SpotCheckRule

    for rule in SpotCheckRule.objects.filter(inspector__isnull=False).select_related("organization"):
        bureau.plan_spot_tasks(rule.organization)
