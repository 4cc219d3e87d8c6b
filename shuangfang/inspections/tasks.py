"""The periodic job: generate tasks ahead of time and mark missed ones, every 10 minutes."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import services


@db_periodic_task(crontab(minute="*/10"))
@lock_task("inspections-generate")
def generate_and_sweep() -> tuple[int, int]:
    return services.generate_tasks(), services.sweep_missed()
