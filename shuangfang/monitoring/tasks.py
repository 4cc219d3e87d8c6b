from huey import crontab

from shuangfang.core.schedule import periodic

from .devices import sweep_offline
from .partitions import maintain as maintain_partitions
from .rollups import downsample
from .sequences import check_sequences
from .sequences import prune as prune_sequences
from .watchdog import check_listeners


@periodic(crontab(minute="*"))
def sweep_offline_devices() -> int:
    # While no MQTT listener is alive the devices are not silent, the platform is deaf: tell the
    # operators instead of marking every device offline.
    if check_listeners():
        return 0
    return len(sweep_offline())


@periodic(crontab(minute="17"))
def downsample_readings() -> dict:
    prune_sequences()
    return downsample()


@periodic(crontab(minute="47"))
def maintain_reading_partitions() -> dict:
    # PostgreSQL: the coming months' partitions of the readings table, old empty ones dropped
    # (after the downsample at :17 has rolled them up); nothing on SQLite. docs/operations.md.
    return maintain_partitions()


@periodic(crontab(minute="*"))
def check_device_sequences() -> int:
    # Gaps in the devices' sequence numbers (messages lost before the platform): docs/monitoring.md.
    return check_sequences()
