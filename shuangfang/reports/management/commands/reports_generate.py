from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shuangfang.orgs.models import Organization
from shuangfang.reports import services
from shuangfang.reports.periods import parse, report_kind


class Command(BaseCommand):
    help = (
        "Generate safety reports. Without --period: the reports of the month and quarter that ended "
        "last, where missing (what the nightly task does). With --period 2026-10 or 2026-Q3: that "
        "period's reports of every active institution and bureau (or --organization), replacing any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="2026-10 (a month) or 2026-Q3 (a quarter)")
        parser.add_argument("--organization", help="uuid of one institution or bureau")

    def handle(self, *args, period=None, organization=None, **options):
        if not period:
            if organization:
                raise CommandError("--organization needs --period")
            made = services.generate_due()
            self.stdout.write(f"{made} reports generated")
            return
        try:
            p = parse(period, timezone.localdate())
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        orgs = Organization.objects.filter(kind__in=services.REPORT_KINDS, is_active=True)
        if organization:
            orgs = orgs.filter(uuid=organization)
            if not orgs.exists():
                raise CommandError(f"no active institution or bureau {organization}")
        made = 0
        for org in orgs.order_by("depth", "path"):
            services.generate(org, report_kind(p), p.start, actor=None)
            made += 1
        self.stdout.write(f"{made} reports of {p.key} generated")
