from huey import crontab

from shuangfang.core.schedule import periodic

from .devices import sweep_offline
from .rollups import downsample


@periodic(crontab(minute="*"))
def sweep_offline_devices() -> int:
    return len(sweep_offline())


@periodic(crontab(minute="17"))
def downsample_readings() -> dict:
    return downsample()
