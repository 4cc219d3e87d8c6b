from huey import crontab

from shuangfang.core.schedule import periodic

from . import services


@periodic(crontab(minute="*"))
def sweep_offline_devices() -> int:
    return len(services.sweep_offline())


@periodic(crontab(minute="17"))
def downsample_readings() -> dict:
    return services.downsample()
