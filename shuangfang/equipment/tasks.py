"""Daily jobs: the equipment dates (reminders, overdue, statutory hazards) and the video retention
check. Times are huey's UTC: 22:10 UTC is 06:10 in Asia/Shanghai, 18:30 UTC is 02:30."""

from huey import crontab
from huey.contrib.djhuey import lock_task

from shuangfang.core.schedule import periodic

from . import dates, video


@periodic(crontab(hour="22", minute="10"))
@lock_task("equipment-dates")
def equipment_dates() -> dict[str, int]:
    return dates.sweep()


@periodic(crontab(hour="18", minute="30"))
@lock_task("equipment-retention")
def video_retention() -> dict[str, int]:
    return video.check_retention()
