"""Excel imports (issue 23): a 5,000-row device list and a month's duty roster for one institution,
checked and saved all-or-nothing through ``core.importing`` (the worker's side of the job), against
a raw ``bulk_create`` of the same devices. Each run rolls back, so it can be repeated; the
institution, its people and its shift are made once in the database named by DATABASE_URL (use a
throw-away one). ``BENCH_ROWS`` sets the device rows (5,000, the import limit)."""

from __future__ import annotations

import datetime as dt
import io
import os

from _setup import report, setup, timed

setup()

from django.db import transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from shuangfang.core import importing  # noqa: E402
from shuangfang.duty import services as duty  # noqa: E402
from shuangfang.duty.models import Shift  # noqa: E402
from shuangfang.monitoring.models import Device  # noqa: E402
from shuangfang.orgs.models import Membership, Organization, OrgKind, User  # noqa: E402
from shuangfang.orgs.roles import Role  # noqa: E402

N = int(os.environ.get("BENCH_ROWS", "5000"))


class Rollback(Exception):
    pass


@transaction.atomic
def build() -> tuple[Organization, User]:
    inst = Organization.objects.filter(name="导入基准机构").first()
    if inst is None:
        bureau = Organization.objects.create(name="导入基准民政局", kind=OrgKind.BUREAU)
        inst = Organization.objects.create(
            name="导入基准机构", kind=OrgKind.INSTITUTION, institution_type="elderly_care", parent=bureau
        )
    officer, _ = User.objects.get_or_create(username="bench_import_officer", defaults={"name": "导入员"})
    Membership.objects.get_or_create(user=officer, organization=inst, defaults={"role": Role.SAFETY_OFFICER})
    people = []
    for i in range(3):
        u, _ = User.objects.get_or_create(username=f"bench_import_p{i}", defaults={"name": f"值班员{i}"})
        Membership.objects.get_or_create(user=u, organization=inst, defaults={"role": Role.STAFF})
        people.append(u)
    if not Shift.objects.filter(organization=inst).exists():
        duty.save_shift(
            actor=officer,
            organization=inst,
            members=people,
            name="白班",
            start_time=dt.time(8),
            duration_minutes=720,
            rotation_start=dt.date(2026, 1, 1),
        )
    return inst, officer


def _xlsx(rows) -> io.BytesIO:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.size = len(out.getvalue())  # type: ignore[attr-defined]  # as an upload has
    return out


def main() -> None:
    inst, officer = build()
    devices = _xlsx(
        [["设备编号", "名称", "设备类型", "楼栋", "楼层"]]
        + [[f"BENCH-{i:05d}", f"烟感{i}", "smoke", "1号楼", str(i % 9 + 1)] for i in range(N)]
    )
    roster = _xlsx(
        [["日期", "班次", "值班人"]]
        + [
            [(dt.date(2026, 1, 1) + dt.timedelta(days=d)).isoformat(), "白班", f"值班员{d % 3}"]
            for d in range(31)
        ]
    )

    def raw() -> None:
        try:
            with transaction.atomic():
                Device.objects.bulk_create(
                    Device(
                        organization=inst,
                        kind="smoke",
                        code=f"BENCH-{i:05d}",
                        name=f"烟感{i}",
                        token_hash=f"h{i}",
                    )
                    for i in range(N)
                )
                raise Rollback
        except Rollback:
            pass

    def run(upload, name: str) -> None:
        try:
            with transaction.atomic():
                upload.seek(0)
                saved, errors = importing.run(
                    importing.SHEETS[name], actor=officer, organization=inst, upload=upload
                )
                assert saved and not errors, errors[:3]
                raise Rollback
        except Rollback:
            pass

    base = timed(raw, repeat=3, warmup=1)
    dev = timed(lambda: run(devices, "monitoring.devices"), repeat=3, warmup=1)
    ros = timed(lambda: run(roster, "duty.roster"), repeat=5, warmup=1)
    report(
        "imports",
        [
            (f"baseline: bulk_create {N} devices", base, ""),
            (
                f"import {N} devices (check + register)",
                dev,
                f"{dev['p50_ms'] / base['p50_ms']:.1f}x baseline",
            ),
            ("import a month's roster (31 rows)", ros, f"{ros['p50_ms'] / base['p50_ms']:.2f}x baseline"),
        ],
    )


if __name__ == "__main__":
    main()
