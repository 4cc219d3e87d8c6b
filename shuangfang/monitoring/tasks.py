from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .devices import sweep_offline
from .rollups import downsample


@db_periodic_task(crontab(minute="*"))
def sweep_offline_devices() -> int:
    return len(sweep_offline())


@db_periodic_task(crontab(minute="17"))
def downsample_readings() -> dict:
    return downsample()
