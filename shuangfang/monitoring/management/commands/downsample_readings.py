"""Roll raw readings older than the retention period up into 1-minute and 1-hour aggregates."""

from django.core.management.base import BaseCommand

from shuangfang.monitoring.rollups import downsample


class Command(BaseCommand):
    help = "Downsample readings older than MONITORING_RAW_DAYS (default 14) and delete the raw rows."

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, default=None)

    def handle(self, *args, **opts):
        done = downsample(keep_days=opts["keep_days"])
        self.stdout.write(
            f"readings rolled up: {done['readings']}, "
            f"minute buckets: {done['minutes']}, hour buckets: {done['hours']}"
        )
