"""The periodic job: generate tasks ahead of time and mark missed ones, every 10 minutes."""

from huey import crontab

from shuangfang.core.schedule import periodic

from .plans import generate_tasks
from .taskflow import sweep_missed


@periodic(crontab(minute="*/10"))
def generate_and_sweep() -> tuple[int, int]:
    return generate_tasks(), sweep_missed()
