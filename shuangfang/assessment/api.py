from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from django.urls import reverse
from ninja import Query, Router

from shuangfang.core import periods
from shuangfang.core.limits import SHORT

from . import scores, views

router = Router(tags=["assessment"])


def _scheme(ref: scores.SchemeRef) -> dict:
    return {
        "name": str(ref),
        "default": ref.is_default,
        "bureau": ref.bureau,
        "version": ref.version,
        "saved_at": ref.saved_at.isoformat() if ref.saved_at else None,
        "bonus_cap": float(ref.bonus_cap),
        "penalty_cap": float(ref.penalty_cap),
    }


def score_json(s: scores.Score) -> dict:
    return {
        "total": s.total,
        "counted_weight": s.counted_weight,
        "scheme": _scheme(s.scheme),
        "parts": [asdict(p) for p in s.parts],
        # Rewards and penalties (奖惩): counted only when the scheme's caps are above 0.
        "base": s.base,
        "bonus": s.bonus,
        "penalty": s.penalty,
        "adjustments": [
            {"points": float(a.points), "text": a.text, "day": a.day.isoformat()} for a in s.adjustments
        ],
    }


def _period(p: periods.Period) -> dict:
    return {"key": p.key, "start": p.start.isoformat(), "end": p.end.isoformat(), "label": p.label}


@router.get(
    "/bureaus/{uuid}/scores",
    url_name="assessment_bureau_scores",
    summary="Assessment scores of the institutions below a bureau, best first",
    description="`period`: `2026-11` (month), `2026-Q4` (quarter) or `2026` (year); default the "
    "current month; anything else is a 400. `end` is exclusive.",
)
def bureau_scores(request, uuid: UUID, period: str = Query("", max_length=SHORT)) -> dict:
    org = views.get_bureau(request.auth, uuid)
    p = periods.parse_or(period, periods.current())
    rows = views.bureau_rows(org, p)
    return {
        "bureau": org.name,
        "period": _period(p),
        "institutions": [
            {
                "rank": n,
                "uuid": str(inst.uuid),
                "name": inst.name,
                "breakdown": reverse("assessment:institution", kwargs={"uuid": inst.uuid}),
                **score_json(s),
            }
            for n, (inst, s) in enumerate(rows, 1)
        ],
    }


@router.get(
    "/institutions/{uuid}/score",
    url_name="assessment_institution_score",
    summary="How one institution's assessment score was computed, with its departments' scores",
)
def institution_score(request, uuid: UUID, period: str = Query("", max_length=SHORT)) -> dict:
    inst = views.get_institution(request.auth, uuid)
    p = periods.parse_or(period, periods.current())
    s = scores.institution_scores([inst], p.start, p.end)[inst.pk]
    depts = scores.departments_of(inst)
    ds = scores.department_scores(inst, p.start, p.end, departments=depts)
    return {
        "institution": inst.name,
        "period": _period(p),
        **score_json(s),
        "departments": [{"uuid": str(d.uuid), "name": d.name, **score_json(ds[d.pk])} for d in depts],
    }
