"""Every event that crosses from one app to another: its kind, its typed payload, who produces it
and who consumes it. This module is the one place to read to see how the apps feed each other
(docs/events.md is the same list in prose, and a test keeps the two in step).

An app states what happened inside its service with ``core.events.publish(kind, **fields)``. The
fields are checked against the kind's payload type here, and one row per consumer is written to the
outbox (``core.outbox``) in the same transaction as the change. The worker hands each row to the
named consumer service with the typed payload, in a transaction of its own that also marks the row
done, so every consumer's effect happens exactly once, is retried with backoff when it fails, and
shows on the operations page when it keeps failing.

Consumers are named by dotted path, so this module imports no app and no app imports another to
be told what happened. A consumer takes ``(kind, payload)``, does database work only (it may defer
its own side effects with ``transaction.on_commit``) and is idempotent by the payload's origin key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shuangfang.core.vocabulary import CheckCategory, HazardGrade, Severity


class Payload(BaseModel):
    """Base of every payload: strict (an unknown or missing field is a programming error caught at
    ``publish``), immutable, JSON-serialisable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def origin(self, kind: str) -> str:
        """The key that makes this event unique for a consumer: publishing the same fact twice
        writes it once, and a consumer can tell a replay."""
        raise NotImplementedError


class Notice(Payload):
    """Something people of an organisation are told about (the notifications app's inbox and
    channels): who (explicit ids and/or roles at the organisation), what (title, link), how urgent."""

    organization_id: int
    object_uuid: str
    title: str
    # The title as a message key and parameters (``core.messages``), shown in the reader's language;
    # ``title`` is its Chinese rendering, kept as the fallback.
    title_msg: dict[str, Any] = Field(default_factory=dict)
    url: str = ""
    severity: Severity = Severity.INFO
    recipient_ids: list[int] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)


class HazardNotice(Notice):
    """A step of a hazard's closed loop; one per row of the hazard's event log."""

    hazard_id: int
    number: str
    event_id: int

    def origin(self, kind: str) -> str:
        return f"hazard-event:{self.event_id}"


class TaskMissed(Notice):
    task_uuid: str

    def origin(self, kind: str) -> str:
        return f"task:{self.task_uuid}:missed"


class ProblemFound(Notice):
    """An item marked "problem" in an inspection record: it becomes one hazard."""

    reporter_id: int | None = None
    description: str
    location: str = ""
    department_id: int | None = None
    category: CheckCategory | Literal[""] = ""
    grade: HazardGrade | Literal[""] = ""
    photo_names: list[str] = Field(default_factory=list)
    origin_key: str = Field(alias="origin")
    record_uuid: str
    criterion_code: str = ""  # the checklist item's major-hazard criterion, if any
    risk_point_id: int | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def origin(self, kind: str) -> str:
        return self.origin_key


class SituationFound(Notice):
    """A self-check against the major-hazard criteria answered 是 for a situation: it becomes one
    major hazard citing the criterion (``object_uuid`` is the answer's)."""

    reporter_id: int
    criterion_code: str
    description: str
    assessment_uuid: str

    def origin(self, kind: str) -> str:
        return f"selfcheck:{self.object_uuid}"


class AlarmNotice(Notice):
    """A sensor alarm (or a device gone offline) opened, acknowledged or cleared."""

    device_uuid: str
    alarm_type: str
    open_hazard: bool = False
    hazard_description: str = ""
    criterion_code: str = ""  # the rule's major-hazard criterion: the hazard cites it
    acknowledged_by_id: int | None = None
    clear_reason: str = ""

    def origin(self, kind: str) -> str:
        return f"alarm:{self.object_uuid}:{kind.rsplit('.', 1)[-1]}"


class IncidentAcknowledged(Notice):
    """Someone acknowledged an escalating incident (by the one-tap link, SMS reply, IM, the page)."""

    source_kind: str = ""
    source_uuid: str = ""
    acknowledged_by_id: int | None = None

    def origin(self, kind: str) -> str:
        return f"incident:{self.object_uuid}:acknowledged"


class ReportGenerated(Notice):
    generated_at: str

    def origin(self, kind: str) -> str:
        return f"report:{self.object_uuid}:{self.generated_at}"


class JobFinished(Notice):
    """A person's background job (a big export) is done or failed; the link opens its page."""

    def origin(self, kind: str) -> str:
        return f"job:{self.object_uuid}"


class OpsNotice(Notice):
    """Something the platform's operators must act on (an MQTT listener outage); ``since`` names the
    outage, so it is told once however often the watchdog sees it."""

    since: str

    def origin(self, kind: str) -> str:
        return f"ops:{kind}:{self.organization_id}:{self.since}"


class SequenceGap(Notice):
    """Messages of one device that never arrived: in the span of its sequence numbers ``first`` to
    ``last`` (of one run, ``boot``), ``missing`` numbers were never received.
    Each judged span is told once (the origin names it)."""

    device_uuid: str
    boot: str = ""
    first: int
    last: int
    missing: int

    def origin(self, kind: str) -> str:
        return f"seq-gap:{self.device_uuid}:{self.boot}:{self.first}-{self.last}"


class EquipmentDue(Notice):
    """An equipment date (statutory inspection, end of service life, repair and hydrostatic test) is
    near or has passed; told
    once per item, date and threshold (``days_before``; 0 = passed)."""

    what: Literal["inspection", "life", "repair"]
    due_on: str
    days_before: int

    def origin(self, kind: str) -> str:
        return f"equipment:{self.object_uuid}:{self.what}:{self.due_on}:{self.days_before}"


class ExpiryNotice(Notice):
    """A certificate (a cook's health certificate, a supplier's licence) expires soon; told once per
    expiry date, so a renewed certificate is told about again when its own time comes."""

    valid_until: str

    def origin(self, kind: str) -> str:
        return f"{kind}:{self.object_uuid}:{self.valid_until}"


class MeasureChanged(Payload):
    """A control measure's "what to check" changed in the risk register, or the measure was
    deleted: the checklist items made from it follow."""

    organization_id: int
    measure_uuid: str
    what_to_check: str = ""
    deleted: bool = False
    changed_at: str

    def origin(self, kind: str) -> str:
        return f"measure:{self.measure_uuid}:{self.changed_at}"


class LetterOverdue(Notice):
    """A relief reminder letter (提示函) whose answer is overdue; told once per due date. The title
    carries the letter's number, never the person's name (channels such as SMS leave the platform)."""

    due: str

    def origin(self, kind: str) -> str:
        return f"relief-letter:{self.object_uuid}:overdue:{self.due}"


class StayOverdue(Notice):
    """A person still in a relief station after the assistance period (extensions included) ended;
    told once per end date (an extension makes a new one). The title names the case number only."""

    ends: str

    def origin(self, kind: str) -> str:
        return f"relief-case:{self.object_uuid}:period:{self.ends}"


class RevisitsDue(Notice):
    """At-risk register revisits of a period (January, July) created for one assignee of a bureau;
    told once per period. The title counts the revisits, never names anyone."""

    period: str

    def origin(self, kind: str) -> str:
        who = ",".join(str(i) for i in self.recipient_ids) or ",".join(self.roles)
        return f"outreach-revisits:{self.object_uuid}:{self.period}:{who}"


class CaseRegistered(Payload):
    """A help-seeker was registered at a relief station (a new case). Carries no personal data: a
    consumer reads the case through its own permissions."""

    organization_id: int
    case_uuid: str

    def origin(self, kind: str) -> str:
        return f"relief-case:{self.case_uuid}:registered"


class RegisterMatched(Notice):
    """A person on an at-risk register was registered at a relief station (``object_uuid``: the
    match). Told once to the station and once to the register's keepers; the title names the case
    number only."""

    side: str  # "station" or "register"

    def origin(self, kind: str) -> str:
        return f"outreach-match:{self.object_uuid}:{self.side}"


class RevisitsOverdue(Notice):
    """At-risk revisits of a period not done by the end of their month: escalated once per period
    to the assignee and the bureau supervisors. The title counts, never names."""

    period: str

    def origin(self, kind: str) -> str:
        return f"outreach-revisits-overdue:{self.object_uuid}:{self.period}"


class ReadinessNotice(Notice):
    """A reminder of the readiness app (training due or overdue, a certificate expiring, a letter to
    sign); ``key`` names the fact (person, course and due date…), so each is told once."""

    key: str

    def origin(self, kind: str) -> str:
        return f"readiness:{kind}:{self.key}"


class PublicReportReceived(Notice):
    """A visitor sent a report from a QR poster (publicreports): the institution's safety officers
    are told once per report; the payload names the place, never the visitor or the phone."""

    def origin(self, kind: str) -> str:
        return f"public-report:{self.object_uuid}:received"


class WebhookSwitchedOff(Notice):
    """A webhook subscription failed for ``WEBHOOK_DISABLE_AFTER`` and was switched off; ``since``
    names the failing spell, so it is told once."""

    since: str

    def origin(self, kind: str) -> str:
        return f"webhook:{self.object_uuid}:off:{self.since}"


@dataclass(frozen=True)
class Kind:
    payload: type[Payload]
    producer: str
    consumers: tuple[str, ...]
    about: str


_TELL = "shuangfang.notifications.consumers.tell_people"
# Consumers that reach the person on duty: drained before every other due row, so that in a storm
# of alarms the incidents (and their first SMS) do not queue behind hazards, webhooks and uploads.
URGENT_CONSUMERS = frozenset({"shuangfang.notifications.consumers.open_alarm_incident"})
# Kinds a webhook subscriber may choose (webhooks.services.KINDS): one delivery per subscription.
_HOOK = "shuangfang.webhooks.services.fan_out"
_HOOKED = {
    "hazard.reported",
    "hazard.assigned",
    "hazard.major_reported",
    "hazard.criterion_cited",
    "hazard.overdue",
    "hazard.closed",
}
# Hazard events that change what the regulator upload sends (webhooks.mem; nothing while it is off).
_MEM = "shuangfang.webhooks.mem.queue_hazard"
_MEM_SYNCED = {
    "hazard.reported",
    "hazard.assigned",
    "hazard.acceptance_needed",
    "hazard.major_reported",
    "hazard.rejected_back",
    "hazard.closed",
    "hazard.criterion_cited",
    "hazard.downgrade_decided",
}
_HAZARD_WORDS = {
    "hazard.reported": "a hazard was reported (snap report, inspection, sensor, bureau)",
    "hazard.assigned": "a hazard was assigned to the person responsible, with its deadline",
    "hazard.acceptance_needed": "the fix was done and waits for someone else's acceptance",
    "hazard.major_reported": "a hazard was confirmed as major (the bureau is told)",
    "hazard.extension_requested": "the person responsible asked for a later deadline",
    "hazard.rejected_back": "the acceptance failed: back to rectification",
    "hazard.supervision_ordered": "the bureau put the hazard under supervision",
    "hazard.closed": "the hazard was accepted and closed (销号)",
    "hazard.deadline_approaching": "the rectification deadline is near (daily sweep)",
    "hazard.overdue": "the rectification deadline has passed (hourly sweep): it escalates",
    "hazard.supervision_overdue": "a supervised hazard is still open after the bureau's deadline "
    "(hourly sweep): it escalates",
    "hazard.criterion_cited": "a hazard cites a major-hazard criterion: it is major (the bureau is told)",
    "hazard.downgrade_requested": "the institution asks the bureau to grade a criterion hazard below major",
    "hazard.downgrade_decided": "the bureau approved or refused grading a criterion hazard below major",
}
_CHASE = "shuangfang.notifications.consumers.chase_hazard"
_STOP_CHASE = "shuangfang.notifications.consumers.stop_hazard_chase"
# The hazard events that escalate (an incident instead of one message), and those that end it.
_HAZARD_CONSUMERS: dict[str, tuple[str, ...]] = {
    "hazard.overdue": (_CHASE,),
    "hazard.supervision_overdue": (_CHASE,),
    "hazard.acceptance_needed": (_TELL, _STOP_CHASE),
    "hazard.closed": (_TELL, _STOP_CHASE),
    "hazard.assigned": (_TELL, _STOP_CHASE),
}

KINDS: dict[str, Kind] = {
    **{
        kind: Kind(
            HazardNotice,
            "hazards",
            _HAZARD_CONSUMERS.get(kind, (_TELL,))
            + ((_HOOK,) if kind in _HOOKED else ())
            + ((_MEM,) if kind in _MEM_SYNCED else ()),
            about,
        )
        for kind, about in _HAZARD_WORDS.items()
    },
    "inspection.task_missed": Kind(
        TaskMissed, "inspections", (_TELL, _HOOK), "an inspection task's window closed with no record"
    ),
    "inspection.problem_found": Kind(
        ProblemFound,
        "inspections",
        ("shuangfang.hazards.consumers.hazard_from_inspection", _TELL),
        "an item of an inspection record was marked as a problem: it becomes one hazard",
    ),
    "criteria.situation_found": Kind(
        SituationFound,
        "criteria",
        ("shuangfang.hazards.consumers.hazard_from_selfcheck", _TELL),
        "a self-check against the major-hazard criteria found a situation: it becomes one major hazard "
        "citing the criterion",
    ),
    "alarm.opened": Kind(
        AlarmNotice,
        "monitoring",
        # The incident first: whoever is on duty is called before the hazard is filed.
        (
            "shuangfang.notifications.consumers.open_alarm_incident",
            "shuangfang.hazards.consumers.hazard_from_alarm",
            _HOOK,
        ),
        "a sensor reading crossed a rule: an escalating incident for whoever is on duty, and a "
        "hazard where the rule says so",
    ),
    "device.offline": Kind(
        AlarmNotice,
        "monitoring",
        # Like an alarm: escalates until someone acknowledges it or the device reports again.
        (
            "shuangfang.notifications.consumers.open_alarm_incident",
            "shuangfang.hazards.consumers.hazard_from_alarm",
        ),
        "a device stopped reporting: an escalating incident (until acknowledged or the device is back), "
        "and a hazard where the rule says so",
    ),
    "alarm.acknowledged": Kind(
        AlarmNotice,
        "monitoring",
        ("shuangfang.notifications.consumers.stop_alarm_incident",),
        "someone acknowledged the alarm on its page: its incident stops escalating",
    ),
    "alarm.cleared": Kind(
        AlarmNotice,
        "monitoring",
        ("shuangfang.notifications.consumers.resolve_alarm_incident", _HOOK),
        "the alarm was cleared (by a person, or the device recovered): its incident is resolved",
    ),
    "incident.acknowledged": Kind(
        IncidentAcknowledged,
        "notifications",
        ("shuangfang.monitoring.consumers.acknowledge_alarm_from_incident",),
        "an incident was acknowledged (one-tap link, reply, page): the alarm behind it is too",
    ),
    "ops.listener_down": Kind(
        OpsNotice,
        "monitoring",
        (_TELL,),
        "no MQTT listener has been alive for MQTT_LISTENER_SILENCE seconds: device readings wait on the "
        "broker (or are lost once its queue is full); the operators are told",
    ),
    "ops.broker_dropped": Kind(
        OpsNotice,
        "monitoring",
        (_TELL,),
        "the MQTT broker's count of dropped messages rose (a full queue): device readings were lost; "
        "the operators are told, at most once an hour",
    ),
    "ops.sequence_gap": Kind(
        SequenceGap,
        "monitoring",
        (_TELL,),
        "a device's sequence numbers have a gap once every listener had time to deliver: messages were "
        "lost (before the broker, or by it); the institution's safety officer and head are told",
    ),
    "equipment.due_soon": Kind(
        EquipmentDue,
        "equipment",
        (_TELL,),
        "a statutory inspection or the end of a service life is near (daily sweep)",
    ),
    "equipment.overdue": Kind(
        EquipmentDue,
        "equipment",
        (_TELL,),
        "a statutory inspection or the end of a service life has passed (daily sweep)",
    ),
    "food.certificate_expiring": Kind(
        ExpiryNotice,
        "food",
        (_TELL,),
        "a kitchen worker's health certificate expires within the reminder days (daily sweep)",
    ),
    "food.licence_expiring": Kind(
        ExpiryNotice,
        "food",
        (_TELL,),
        "a food supplier's licence or certificate expires within the reminder days (daily sweep)",
    ),
    "risk.measure_changed": Kind(
        MeasureChanged,
        "risks",
        ("shuangfang.inspections.consumers.follow_measure", "shuangfang.webhooks.mem.queue_measure"),
        "a control measure's what-to-check was edited or the measure deleted: the checklist items "
        "made from it follow",
    ),
    "readiness.training_due": Kind(
        ReadinessNotice, "readiness", (_TELL,), "a required course is due soon for a person (daily sweep)"
    ),
    "readiness.training_overdue": Kind(
        ReadinessNotice,
        "readiness",
        (_TELL,),
        "a required course is overdue for a person; the person and the safety officer are told",
    ),
    "readiness.certificate_expiring": Kind(
        ReadinessNotice, "readiness", (_TELL,), "an external certificate expires soon (daily sweep)"
    ),
    "readiness.plan_review_due": Kind(
        ReadinessNotice, "readiness", (_TELL,), "an emergency plan's review date is near (daily sweep)"
    ),
    "readiness.supply_low": Kind(
        ReadinessNotice, "readiness", (_TELL,), "an emergency supply is below its minimum level (daily sweep)"
    ),
    "readiness.supply_expiring": Kind(
        ReadinessNotice, "readiness", (_TELL,), "an emergency supply expires soon (daily sweep)"
    ),
    "readiness.notice_sent": Kind(
        ReadinessNotice,
        "readiness",
        (_TELL,),
        "a bureau sent a responsibility notice: each institution's head and safety officer are told",
    ),
    "readiness.letter_issued": Kind(
        ReadinessNotice, "readiness", (_TELL,), "a responsibility letter waits for its holder's signature"
    ),
    "publicreport.received": Kind(
        PublicReportReceived,
        "publicreports",
        (_TELL,),
        "a visitor reported something from a QR poster, without an account: the institution's safety "
        "officers are told, once per report, to triage it",
    ),
    "webhook.switched_off": Kind(
        WebhookSwitchedOff,
        "webhooks",
        (_TELL,),
        "a webhook subscriber failed for a day: switched off (its deliveries kept), its owners told",
    ),
    "report.generated": Kind(
        ReportGenerated, "reports", (_TELL,), "a monthly or quarterly safety report was made"
    ),
    "job.finished": Kind(
        JobFinished, "core", (_TELL,), "a person's background job (a big export) is ready or failed"
    ),
    "relief.letter_overdue": Kind(
        LetterOverdue,
        "relief",
        (_TELL,),
        "a reminder letter to a repeat wanderer's home area has no answer by its due date (daily sweep)",
    ),
    "relief.period_ended": Kind(
        StayOverdue,
        "relief",
        (_TELL,),
        "a person is still in the relief station after the assistance period ended (daily sweep)",
    ),
    "outreach.revisits_due": Kind(
        RevisitsDue,
        "outreach",
        (_TELL,),
        "the at-risk register's revisits of the period (January, July) were created (daily sweep)",
    ),
    "outreach.revisits_overdue": Kind(
        RevisitsOverdue,
        "outreach",
        (_TELL,),
        "at-risk revisits not done by the end of their month: escalated to the bureau (daily sweep)",
    ),
    "relief.case_registered": Kind(
        CaseRegistered,
        "relief",
        ("shuangfang.outreach.register_match.on_case_registered",),
        "a help-seeker was registered at a relief station: outreach matches the at-risk registers",
    ),
    "outreach.register_matched": Kind(
        RegisterMatched,
        "outreach",
        (_TELL,),
        "a person on an at-risk register was registered at a station: the officer and the keepers told",
    ),
}
