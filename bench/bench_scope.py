"""Tenancy overhead: a bureau supervisor's scoped people list against the same rows read raw.

Builds (once) a city of 200 institutions × 5 departments × 10 people in the database named by
DATABASE_URL, then times:
  - baseline: raw SQL, first 50 people by name (no scoping)
  - for_user: the same through ``User.objects.for_user(supervisor)``
  - page: the people list page (filters, pagination, 50 rows) through the Django test client
"""

from __future__ import annotations

import os

from _setup import report, setup, timed

# The test client without Django's instrumented template rendering (setup_test_environment), which
# would inflate page times: allow its host name instead.
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from shuangfang.orgs.models import Membership, Organization, OrgKind, User  # noqa: E402
from shuangfang.orgs.roles import Role  # noqa: E402

N_INST, N_DEPT, N_PEOPLE = 200, 5, 10


@transaction.atomic
def build() -> User:
    bureau = Organization.objects.filter(name="基准市民政局").first()
    if bureau is None:
        bureau = Organization.objects.create(name="基准市民政局", kind=OrgKind.BUREAU)
        people, memberships = [], []
        for i in range(N_INST):
            inst = Organization.objects.create(
                name=f"基准机构{i}", kind=OrgKind.INSTITUTION, institution_type="elderly_care", parent=bureau
            )
            for d in range(N_DEPT):
                dept = Organization.objects.create(name=f"部门{d}", kind=OrgKind.DEPARTMENT, parent=inst)
                for p in range(N_PEOPLE):
                    u = User(username=f"b{i}_{d}_{p}", name=f"人员{i}-{d}-{p}", password="!")
                    people.append(u)
                    memberships.append((u, dept))
        User.objects.bulk_create(people, batch_size=2000)
        Membership.objects.bulk_create(
            [Membership(user=u, organization=o, role=Role.STAFF) for u, o in memberships], batch_size=2000
        )
    sup, created = User.objects.get_or_create(username="bench_supervisor", defaults={"name": "基准监管"})
    if created:
        sup.set_password("bench-pass-1")
        sup.save()
        Membership.objects.create(user=sup, organization=bureau, role=Role.BUREAU_SUPERVISOR)
    return sup


sup = build()
total = User.objects.count()


def raw():
    with connection.cursor() as c:
        c.execute("SELECT id, name, username FROM orgs_user ORDER BY name LIMIT 50")
        c.fetchall()


def scoped():
    sup.__dict__.pop("_shuangfang_scope_cache", None)
    list(
        User.objects.for_user(sup, "people.view").order_by("name").values_list("id", "name", "username")[:50]
    )


client = Client()
client.login(username="bench_supervisor", password="bench-pass-1")


def page():
    r = client.get("/orgs/people/")
    assert r.status_code == 200


base = timed(raw)
fig_scoped = timed(scoped)
fig_page = timed(page, repeat=10)
with CaptureQueriesContext(connection) as ctx:
    page()
report(
    f"tenancy scope ({total} people, {connection.vendor})",
    [
        ("baseline: raw SQL first 50 by name", base, "1.00×"),
        (
            "User.objects.for_user(bureau supervisor)",
            fig_scoped,
            f"{fig_scoped['p50_ms'] / base['p50_ms']:.2f}×",
        ),
        (
            "people list page, 50 rows",
            fig_page,
            f"{fig_page['p50_ms'] / base['p50_ms']:.1f}×, {len(ctx)} queries",
        ),
    ],
)
