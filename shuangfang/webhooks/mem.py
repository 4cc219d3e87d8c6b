"""The regulator upload in the MEM entity chain (docs/mem-upload.md, domain-reference §6.2–6.3).

Behind ``MEM_UPLOAD_URL`` (empty: off). Changes are found two ways and written as ``MemUpload``
rows, the outbox of changes:

* through the outbox: the hazard events and ``risk.measure_changed`` have ``queue_hazard`` /
  ``queue_measure`` among their consumers, which queue the record and the parents it names;
* a sweep every five minutes (``collect``) compares every record with the digest last queued for
  it: edits that publish no event (a risk point renamed) and records deleted since are found there.

A record is queued only when its body changed, so a replay or a second sweep sends nothing again.
``send_due`` posts what is due per entity, parents first (object → unit → event → measure →
check task → check record → hazard), in batches; a child waits until every parent it names was
accepted by the receiver. An answer that is not 2xx, a ``code`` other than 0/200 in the answer, an
answer that is not JSON, a timeout: the batch is retried after 1, 2, 4 … minutes (at most an
hour), and nothing else is held up but the children of what failed."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from shuangfang.core.outbox import enqueue_once
from shuangfang.hazards.api import mem_record
from shuangfang.hazards.models import Hazard, HazardPhoto
from shuangfang.inspections.choices import FROM_MEASURE, ITEM_ORIGIN
from shuangfang.inspections.models import ChecklistItem, Plan, RecordItem
from shuangfang.notifications import outbound
from shuangfang.orgs.models import Organization
from shuangfang.risks import mem as risk_mem
from shuangfang.risks.models import ControlMeasure

from .models import MemRecord, MemUpload

log = logging.getLogger(__name__)

# The order of dependencies, and each entity's path under MEM_UPLOAD_URL. The paths of the unit,
# event, measure, check task, check record and hazard are one vendor's (§6.2); no path was found
# for the object: ours.
ENTITIES = ("object", "unit", "event", "measure", "task", "record", "hazard")
RANK = {e: i for i, e in enumerate(ENTITIES)}
PATHS = {
    "object": "/sec_security_risk_object",
    "unit": "/sec_security_risk_unit",
    "event": "/sec_security_risk_events",
    "measure": "/sec_security_risk_control_measures",
    "task": "/sec_hidden_check_mission",
    "record": "/sec_hidden_check_record",
    "hazard": "/sec_hidden_danger_info",
}
CHECKED = f"{ITEM_ORIGIN}:"  # the origin of a hazard filed for an answer to a checklist item
BACKOFF_CAP = 3600
LEASE = dt.timedelta(minutes=2)  # a sender that died mid-request: the rows are due again after this
SEND_PENDING = "mem:send-queued"

# (entity, record, the parents it names as "entity:key")
Item = tuple[str, dict[str, Any], list[str]]


def enabled() -> bool:
    return bool(settings.MEM_UPLOAD_URL)


def digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- What the records are -------------------------------------------------------------------------


def _objects(orgs: Iterable[Organization]) -> list[Item]:
    orgs = list(orgs)
    who = risk_mem.heads(o.pk for o in orgs)
    return [("object", risk_mem.mem_object(o, who.get(o.pk)), []) for o in orgs]


def _risk_items(points: Any, factors: Any, measures: Any) -> list[Item]:
    """Units (their object added by ``_unit_depends``), events naming their unit, measures naming
    their event."""
    parent = {"event": ("unit", "riskUnitId"), "measure": ("event", "riskEventId")}
    items: list[Item] = []
    for entity, body in risk_mem.chain(points, factors, measures):
        depends = [f"{parent[entity][0]}:{body[parent[entity][1]]}"] if entity in parent else []
        items.append((entity, body, depends))
    return items


def _hazards(qs: Any) -> list[Item]:
    qs = qs.select_related(
        "organization", "responsible", "reporter", "accepted_by", "risk_point"
    ).prefetch_related(Prefetch("photos", queryset=HazardPhoto.objects.all()))
    hazards = list(qs)
    # A hazard found by a check of an item made from a control measure names that check record
    # and measure (§6.4); any other hazard names neither.
    found = {h.origin.removeprefix(CHECKED) for h in hazards if h.origin.startswith(CHECKED)}
    checked = {
        str(uuid): measure
        for uuid, measure in RecordItem.objects.filter(
            uuid__in=found, item__source_kind=FROM_MEASURE
        ).values_list("uuid", "item__source_ref")
    }
    items: list[Item] = []
    for h in hazards:
        body = mem_record(h, list(h.photos.all()))
        record_uuid = h.origin.removeprefix(CHECKED)
        linked = record_uuid in checked
        body.update(
            riskMeasureId=checked[record_uuid] if linked else None,
            checkRecordId=record_uuid if linked else None,
        )
        if body["hazardDangerType"] is None:  # no category given: 8 其他 of the code list
            body["hazardDangerType"] = 8
        body["riskUnitId"] = str(h.risk_point.uuid) if h.risk_point_id and h.risk_point else None  # ours
        body["deleted"] = 1 if h.status in ("rejected", "duplicate") else 0
        depends = [f"object:{h.organization.uuid}"]
        if body["riskUnitId"]:
            depends.append(f"unit:{body['riskUnitId']}")
        if linked:
            depends.append(f"record:{record_uuid}")
        items.append(("hazard", body, depends))
    return items


# The check cycle of §6.3 (checkCycle + checkCycleUnit 小时/天/周/月/年) from a plan's frequency and
# rule; a frequency with no fixed cycle (before holidays) sends none. Our mapping.
def _cycle(plan: Plan | None) -> tuple[int | None, str | None]:
    if plan is None:
        return None, None
    rule, f = plan.rule or {}, plan.frequency
    if f == "hours":
        return int(rule.get("interval_hours") or 1), "小时"
    if f == "shift":
        return (24 // len(rule["shifts"]), "小时") if rule.get("shifts") else (None, None)
    if f == "daily":
        return int(rule.get("interval_days") or 1), "天"
    if f == "weekly":
        return 1, "周"
    if f == "monthly":
        return 1, "月"
    if f in ("quarterly", "seasonal"):
        months = rule.get("months") or [0, 0, 0, 0]
        return 12 // len(months), "月"
    return None, None


def _tasks(items_qs: Any) -> list[Item]:
    """Check tasks (§6.2): a checklist item made from a control measure, checked by the first active
    plan of its checklist. An item switched off, whose checklist has no active plan or whose measure
    is gone is sent as deleted (if it was ever sent). Parent: its measure."""
    rows = list(items_qs.filter(source_kind=FROM_MEASURE).select_related("checklist__organization"))
    alive_measures = {
        str(u)
        for u in ControlMeasure.objects.filter(uuid__in={r.source_ref for r in rows}).values_list(
            "uuid", flat=True
        )
    }
    plans: dict[int, Plan] = {}
    for plan in Plan.objects.filter(checklist_id__in={r.checklist_id for r in rows}, is_active=True).order_by(
        "id"
    ):
        plans.setdefault(plan.checklist_id, plan)
    out: list[Item] = []
    for r in rows:
        plan = plans.get(r.checklist_id)
        cycle, unit = _cycle(plan)
        org = r.checklist.organization
        rule = plan.rule if plan is not None else {}
        body = {
            **risk_mem.common(r.uuid, org, r.checklist.created_at, r.checklist.created_at),
            "deleted": 0
            if r.is_active and r.checklist.is_active and plan and r.source_ref in alive_measures
            else 1,
            "riskMeasureId": r.source_ref,
            "troubleshootContent": r.text,
            "checkCycle": cycle,
            "checkCycleUnit": unit,
            "taskStartTime": f"{plan.starts_on:%Y-%m-%d} 00:00:00" if plan and plan.starts_on else None,
            "workStartTime": rule.get("start") or rule.get("time"),
            "workEndTime": rule.get("end"),
            "workDayType": None,
            "workType": None,
            "taskNum": None,
        }
        out.append(("task", body, [] if body["deleted"] else [f"measure:{r.source_ref}"]))
    return out


# checkStatus of a check record (ours: no code list was found): 0 normal, 1 problem, 2 not applicable.
CHECK_STATUS = {"ok": 0, "problem": 1, "na": 2}


def _records(qs: Any) -> list[Item]:
    """Check records (§6.2): each answer to an item made from a control measure. Parent: its task."""
    out: list[Item] = []
    for ri in qs.filter(item__source_kind=FROM_MEASURE).select_related("record__organization", "item"):
        rec = ri.record
        body = {
            **risk_mem.common(ri.uuid, rec.organization, rec.submitted_at, rec.submitted_at),
            "checkTaskId": str(ri.item.uuid),
            "checkTime": risk_mem.mem_time(rec.submitted_at),
            "mobileMe": None,
            "isDefend": None,
            "checkStatus": CHECK_STATUS.get(ri.result),
            "createByMobile": None,
            "updateByMobile": None,
        }
        out.append(("record", body, [f"task:{ri.item.uuid}"]))
    return out


def everything(since: dt.datetime | None = None) -> list[Item]:
    """Every institution, and the risk points, factors, measures and hazards changed since
    ``since`` (all of them without it), parents first (the sweep)."""
    institutions = Organization.objects.institutions()
    points, factors, measures = risk_mem.points(), risk_mem.factors(), risk_mem.measures()
    hazards = Hazard.objects.all()
    if since is not None:
        points, factors = points.filter(updated_at__gte=since), factors.filter(updated_at__gte=since)
        measures, hazards = measures.filter(updated_at__gte=since), hazards.filter(updated_at__gte=since)
    records = RecordItem.objects.all()
    if since is not None:
        records = records.filter(record__submitted_at__gte=since)
    items = _objects(institutions)
    items += _unit_depends(_risk_items(points, factors, measures), points)
    # Checklist items keep no change time: every task is compared (the digest sends only changes).
    items += _tasks(ChecklistItem.objects.all())
    items += _records(records)
    items += _hazards(hazards)
    return items


def alive() -> set[tuple[str, str]]:
    """(entity, key) of every record that exists: what the sweep compares with to find deletions
    (uuids only, one query per table)."""
    from shuangfang.risks.models import HazardFactor, RiskPoint

    tables: list[tuple[str, Any]] = [
        ("object", Organization.objects.institutions()),
        ("unit", RiskPoint.objects.all()),
        ("event", HazardFactor.objects.all()),
        ("measure", ControlMeasure.objects.all()),
        ("task", ChecklistItem.objects.filter(source_kind=FROM_MEASURE)),
        ("record", RecordItem.objects.filter(item__source_kind=FROM_MEASURE)),
        ("hazard", Hazard.objects.all()),
    ]
    return {(entity, str(u)) for entity, qs in tables for u in qs.values_list("uuid", flat=True)}


def _unit_depends(items: list[Item], points: Any) -> list[Item]:
    org_of = {str(u): str(o) for u, o in points.values_list("uuid", "organization__uuid")}
    out: list[Item] = []
    for entity, body, depends in items:
        if entity == "unit":
            depends = [f"object:{org_of[body['id']]}"] if body["id"] in org_of else []
        out.append((entity, body, depends))
    return out


def for_hazard(hazard_id: int) -> list[Item]:
    hazard = Hazard.objects.filter(pk=hazard_id).select_related("organization", "risk_point").first()
    if hazard is None:
        return []
    items = _objects([hazard.organization])
    if hazard.risk_point_id:
        points = risk_mem.points().filter(pk=hazard.risk_point_id)
        items += _unit_depends(_risk_items(points, [], []), points)
    if hazard.origin.startswith(CHECKED):
        # Found by a check of a measure's item: the chain above it, down to the check record.
        checked = RecordItem.objects.filter(
            uuid=hazard.origin.removeprefix(CHECKED), item__source_kind=FROM_MEASURE
        ).select_related("item")
        for ri in checked:
            measure = (
                ControlMeasure.objects.filter(uuid=ri.item.source_ref)
                .select_related("factor__risk_point__organization")
                .first()
            )
            if measure is not None:
                items += for_measure(measure)
            items += _tasks(ChecklistItem.objects.filter(pk=ri.item_id)) + _records(checked)
    return items + _hazards(Hazard.objects.filter(pk=hazard_id))


def for_measure(measure: ControlMeasure) -> list[Item]:
    point = measure.factor.risk_point
    points = risk_mem.points().filter(pk=point.pk)
    chain = _risk_items(
        points, risk_mem.factors().filter(pk=measure.factor_id), risk_mem.measures().filter(pk=measure.pk)
    )
    return _objects([point.organization]) + _unit_depends(chain, points)


# --- Queueing -------------------------------------------------------------------------------------


def queue(items: list[Item], *, existing: set[tuple[str, str]] | None = None) -> int:
    """Write one ``MemUpload`` per record whose body changed since it was last queued. With
    ``existing`` (the sweep: every record that exists), a record queued before and gone since is
    queued as deleted. Returns how many changes were queued."""
    now = timezone.now()
    known = {(r.entity, r.key): r for r in MemRecord.objects.filter(key__in=[b["id"] for _, b, _ in items])}
    queued = 0
    for entity, body, depends in items:
        queued += _queue_one(entity, body["id"], body, depends, known.get((entity, body["id"])), now)
    if existing is not None:
        listed = MemRecord.objects.filter(deleted=False).values_list("pk", "entity", "key")
        gone_ids = [pk for pk, entity, key in listed if (entity, key) not in existing]
        for rec in MemRecord.objects.filter(pk__in=gone_ids):
            gone = {**rec.last_body, "deleted": 1, "updateDate": risk_mem.mem_time(now)}
            queued += _queue_one(rec.entity, rec.key, gone, [], rec, now)
    if queued:
        transaction.on_commit(kick)
    return queued


def _queue_one(entity, key, body, depends, rec: MemRecord | None, now) -> int:
    d = digest(body)
    if rec is not None and rec.digest == d:
        return 0
    if rec is None and body.get("deleted"):
        return 0  # never sent, and gone: nothing to tell
    with transaction.atomic():
        if rec is None:
            try:
                with transaction.atomic():
                    rec = MemRecord.objects.create(
                        entity=entity,
                        key=key,
                        digest=d,
                        queued_at=now,
                        last_body=body,
                        deleted=bool(body.get("deleted")),
                    )
            except IntegrityError:
                return 0  # queued at the same moment by another worker
        elif not MemRecord.objects.filter(pk=rec.pk, digest=rec.digest).update(
            digest=d, queued_at=now, last_body=body, deleted=bool(body.get("deleted"))
        ):
            return 0  # another worker queued a change of it meanwhile
        MemUpload.objects.filter(entity=entity, key=key, sent_at=None, superseded_at=None).update(
            superseded_at=now
        )
        MemUpload.objects.create(
            entity=entity,
            rank=RANK[entity],
            key=key,
            body=body,
            digest=d,
            depends=depends,
            created_at=now,
            next_attempt_at=now,
        )
    return 1


def queue_hazard(kind: str, event) -> None:
    """Outbox consumer of the hazard events: the hazard (and its object and unit) as they are now."""
    if enabled():
        queue(for_hazard(event.hazard_id))


def queue_measure(kind: str, event) -> None:
    """Outbox consumer of ``risk.measure_changed``: the measure and the chain above it; a deleted
    measure is told as deleted when it had been queued before."""
    if not enabled():
        return
    measure = (
        ControlMeasure.objects.filter(uuid=event.measure_uuid)
        .select_related("factor__risk_point__organization")
        .first()
    )
    if measure is not None:
        queue(for_measure(measure))
        return
    rec = MemRecord.objects.filter(entity="measure", key=event.measure_uuid, deleted=False).first()
    if rec is not None:
        now = timezone.now()
        if _queue_one(
            "measure",
            rec.key,
            {**rec.last_body, "deleted": 1, "updateDate": risk_mem.mem_time(now)},
            [],
            rec,
            now,
        ):
            transaction.on_commit(kick)


# The sweep looks at what changed in the last hour (a missed sweep or two are covered); the
# nightly one at everything (a change older than that whose event and sweeps were all lost).
SWEEP_WINDOW = dt.timedelta(hours=1)


def collect(*, full: bool = False) -> int:
    """The sweep: records changed lately (``full``: every record) compared with what was last
    queued for them, and records gone since queued as deleted."""
    if not enabled():
        return 0
    since = None if full else timezone.now() - SWEEP_WINDOW
    return queue(everything(since), existing=alive())


# --- Sending --------------------------------------------------------------------------------------


def kick() -> None:
    """After the commit that queued changes: send them now (the sweep catches a lost kick)."""
    enqueue_once(SEND_PENDING, "shuangfang.webhooks.tasks.send_mem_now", "the MEM upload")


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), BACKOFF_CAP))


def send_due(limit: int = 2000) -> int:
    """Send what is due, entity by entity, parents first; returns how many records were accepted."""
    if not enabled():
        return 0
    accepted = 0
    for entity in ENTITIES:
        now = timezone.now()
        due = list(
            MemUpload.objects.filter(
                entity=entity, sent_at=None, superseded_at=None, next_attempt_at__lte=now
            ).order_by("next_attempt_at", "id")[:limit]
        )
        ready = [u for u in due if _parents_accepted(u)]
        size = settings.MEM_UPLOAD_BATCH
        for start in range(0, len(ready), size):
            accepted += _send_batch(entity, ready[start : start + size])
    return accepted


def _parents_accepted(upload: MemUpload) -> bool:
    for dep in upload.depends:
        entity, _, key = dep.partition(":")
        if not MemRecord.objects.filter(entity=entity, key=key, sent_at__isnull=False).exists():
            return False
    return True


def _send_batch(entity: str, rows: list[MemUpload]) -> int:
    now = timezone.now()
    claimed = [
        u
        for u in rows
        if MemUpload.objects.filter(pk=u.pk, attempts=u.attempts, sent_at=None).update(
            attempts=F("attempts") + 1, next_attempt_at=now + LEASE, last_attempt_at=now
        )
    ]
    if not claimed:
        return 0
    body = json.dumps(
        {"datas": [u.body for u in claimed]}, ensure_ascii=False, separators=(",", ":")
    ).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Shuangfang-MEM/1"}
    if settings.MEM_UPLOAD_TOKEN:
        headers["Authorization"] = f"Bearer {settings.MEM_UPLOAD_TOKEN}"
    code, answer, ok = None, "", False
    try:
        url = settings.MEM_UPLOAD_URL + PATHS[entity]
        req = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
        with outbound.open_url(req, timeout=settings.MEM_UPLOAD_TIMEOUT) as resp:
            code = resp.status
            raw = resp.read(4096)
        ok, answer = judge(raw)
    except outbound.Refused as exc:
        answer = f"refused: {exc}"
    except urllib.error.HTTPError as exc:
        code, answer = exc.code, f"HTTP {exc.code}: {exc.read(500).decode('utf-8', 'replace')}"
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        answer = f"network: {getattr(exc, 'reason', exc)}"
    except http.client.HTTPException as exc:  # garbage instead of an HTTP answer: retried
        answer = f"the answer is not HTTP: {type(exc).__name__}"
    done = timezone.now()
    ids = [u.pk for u in claimed]
    with transaction.atomic():
        if ok:
            MemUpload.objects.filter(pk__in=ids).update(
                sent_at=done, last_code=code, last_answer=answer.replace("\x00", "")[:500]
            )
            for u in claimed:
                MemRecord.objects.filter(entity=entity, key=u.key).update(sent_at=done)
            return len(claimed)
        for u in claimed:
            MemUpload.objects.filter(pk=u.pk).update(
                last_code=code,
                last_answer=answer.replace("\x00", "")[:500],
                next_attempt_at=done + backoff(u.attempts + 1),
            )
    log.warning("MEM upload of %d %s records failed: %s", len(claimed), entity, answer[:200])
    return 0


def judge(raw: bytes) -> tuple[bool, str]:
    """A 2xx answer is accepted when it is empty or JSON whose ``code`` (top level or under
    ``data``, the vendor evidence) is absent, 0 or 200. Anything else is retried with its reason."""
    text = raw.decode("utf-8", "replace").strip()
    if not text:
        return True, ""
    try:
        answer = json.loads(text)
    except ValueError:
        return False, f"the answer is not JSON: {text[:200]}"
    if not isinstance(answer, dict):
        return False, f"the answer is not a JSON object: {text[:200]}"
    data = answer.get("data")
    inner: dict[str, Any] = data if isinstance(data, dict) else {}
    code = answer.get("code", inner.get("code"))
    if code in (None, 0, 200, "0", "200"):
        return True, text[:500]
    return False, f"refused by the receiver (code {code}): {text[:300]}"
