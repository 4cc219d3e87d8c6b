from __future__ import annotations

from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from ninja import Router, Schema
from ninja.errors import HttpError

from shuangfang.core.tenancy import has_perm_anywhere

from . import services

router = Router(tags=["criteria"])


class CriterionOut(Schema):
    code: str
    standard: str
    standard_version: str
    article: str
    category: str
    number: str
    text: str
    truncated: bool
    sources: list[str]


class StandardOut(Schema):
    uuid: UUID
    code: str
    version: str
    title: str
    kind: str
    institution_types: list[str]
    issued_on: date | None
    effective_from: date | None
    supersedes: str | None
    complete: bool
    official_situations: int | None
    situations: int


def _allowed(request) -> None:
    if not has_perm_anywhere(request.auth, "criteria.view"):
        raise PermissionDenied("criteria.view")


@router.get("/standards", response=list[StandardOut], summary="The criteria standards (with completeness)")
def standards(request):
    _allowed(request)
    return [
        StandardOut(
            uuid=s.uuid,
            code=s.code,
            version=s.version,
            title=s.title,
            kind=s.kind,
            institution_types=s.institution_types,
            issued_on=s.issued_on,
            effective_from=s.effective_from,
            supersedes=f"{s.supersedes.code}@{s.supersedes.version}" if s.supersedes else None,
            complete=s.complete,
            official_situations=s.official_situations,
            situations=s.n_items,
        )
        for s in services.standards_for(request.auth).annotate(n_items=Count("criteria"))[:200]
    ]


@router.get("/criteria/{code}", response=CriterionOut, summary="The criterion in force that a code names")
def criterion(request, code: str):
    _allowed(request)
    try:
        c = services.resolve(code)
    except ValidationError as exc:
        raise HttpError(404, " ".join(exc.messages)) from None
    return CriterionOut(
        code=c.code,
        standard=c.standard.title,
        standard_version=c.standard.version,
        article=c.article.number,
        category=c.article.title,
        number=c.number,
        text=c.text,
        truncated=c.truncated,
        sources=c.sources,
    )
