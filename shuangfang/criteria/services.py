"""Changing the criteria library: importing standards (all or nothing), and finding the criterion a
code names. Hazards, checklists and the self-check reach the library through :func:`resolve`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.tenancy import can, require
from shuangfang.orgs.roles import Role

from .choices import StandardKind
from .importing import StandardData
from .models import Article, Criterion, Standard


@dataclass
class ImportResult:
    standards: list[Standard]
    new_items: int
    updated_items: int


def may_import_national(actor) -> bool:
    """The ministry's and national lists are the platform's: a superuser, or an administrator of a
    top-level bureau (the operator of the deployment). A bureau supervisor imports only the bureau's
    own refinement."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return any(
        m.organization.parent_id is None
        and m.role == Role.ADMIN
        and can(actor, "criteria.import", m.organization)
        for m in actor.active_memberships().select_related("organization")
    )


class _Models:
    """The models the importer writes: the current ones, or a migration's historical ones."""

    def __init__(self, apps=None):
        get = apps.get_model if apps is not None else None
        self.Standard: Any = get("criteria", "Standard") if get else Standard
        self.Article: Any = get("criteria", "Article") if get else Article
        self.Criterion: Any = get("criteria", "Criterion") if get else Criterion
        self.audited = apps is None


def import_standards(*, actor, standards: list[StandardData], bureau=None, apps=None) -> ImportResult:
    """Save ``standards`` (parsed by :mod:`.importing`), all or none. ``bureau``: the bureau whose
    own refinement this is (every standard becomes its ``refinement``); otherwise they are the
    ministry's and national lists. ``actor`` None: the starting data (a migration, with its
    historical ``apps``, or ``manage.py load_criteria``).

    The same code and version again updates the notes and adds the items now available; an item's
    text, once imported whole, never changes within a version (import a new version instead)."""
    if bureau is not None:
        if actor is not None:
            require(actor, "criteria.import", bureau)
        if bureau.kind not in ("bureau", "district_bureau"):
            raise ValidationError(_("Only a bureau can keep its own refinement of the criteria."))
    elif actor is not None and not may_import_national(actor):
        raise PermissionDenied("criteria.import")
    new = updated = 0
    saved: list[Standard] = []
    m = _Models(apps)
    with transaction.atomic():
        for data in standards:
            standard, n, u = _save(m, data, actor, bureau, saved)
            saved.append(standard)
            new, updated = new + n, updated + u
    return ImportResult(saved, new, updated)


def _find(m: _Models, ref: str, bureau, pending: list[Standard]) -> Standard | None:
    """``code@version`` or ``code`` (its latest version) among the file's and the stored standards."""
    code, _sep, version = ref.partition("@")
    for s in reversed(pending):
        if s.code == code and (not version or s.version == version):
            return s
    qs = m.Standard.objects.filter(code=code).filter(Q(organization=None) | Q(organization=bureau))
    if version:
        qs = qs.filter(version=version)
    return qs.order_by("-effective_from", "-issued_on", "-version").first()


def _save(
    m: _Models, data: StandardData, actor, bureau, pending: list[Standard]
) -> tuple[Standard, int, int]:
    where = f"{data.code} {data.version}"
    links = {}
    for name in ("supersedes", "refines"):
        ref = getattr(data, name)
        links[name] = _find(m, ref, bureau, pending) if ref else None
        if ref and links[name] is None:
            raise ValidationError(
                _("%(where)s: no standard “%(ref)s” to refer to.") % {"where": where, "ref": ref}
            )
    existing = m.Standard.objects.filter(code=data.code, version=data.version).first()
    if existing is not None and existing.organization_id != (bureau.pk if bureau else None):
        raise ValidationError(
            _("%(where)s: this code and version belong to another list; give the refinement its own code.")
            % {"where": where}
        )
    fields = {
        "title": data.title,
        "issuer": data.issuer,
        "doc_number": data.doc_number,
        "kind": StandardKind.REFINEMENT if bureau is not None else data.kind,
        "organization": bureau,
        "institution_types": data.institution_types,
        "issued_on": data.issued_on,
        "effective_from": data.effective_from or data.issued_on,
        "supersedes": links["supersedes"],
        "refines": links["refines"],
        "complete": data.complete,
        "official_categories": data.official_categories,
        "official_situations": data.official_situations,
        "sources": data.sources,
        "notes": data.notes,
        "imported_at": timezone.now(),
        "imported_by": actor,
    }
    if bureau is None and fields["kind"] == StandardKind.REFINEMENT:
        raise ValidationError(_("%(where)s: a refinement is imported by its bureau.") % {"where": where})
    standard, created = m.Standard.objects.update_or_create(
        code=data.code, version=data.version, defaults=fields
    )
    new = updated = 0
    for order, a in enumerate(data.articles):
        article, _c = m.Article.objects.update_or_create(
            standard=standard,
            number=a.number,
            title=a.title,
            defaults={"order": order, "lead_in": a.lead_in, "complete": a.complete, "missing": a.missing},
        )
        for i_order, item in enumerate(a.items):
            n, u = _save_item(m, standard, article, i_order, item, where)
            new, updated = new + n, updated + u
    if not m.audited:
        return standard, new, updated
    audit.record(
        actor=actor,
        action="criteria.import",
        obj=standard,
        organization=bureau,
        after={
            "code": data.code,
            "version": data.version,
            "items": len(data.items),
            "complete": data.complete,
        },
        note="created" if created else "updated",
    )
    return standard, new, updated


def _save_item(m: _Models, standard, article, order: int, item, where: str) -> tuple[int, int]:
    row = m.Criterion.objects.filter(standard=standard, code=item.code).first()
    values = {
        "article": article,
        "order": order,
        "number": item.number,
        "text": item.text,
        "truncated": item.truncated,
        "verified_by": item.verified_by,
        "sources": item.sources,
        "note": item.note,
    }
    if row is None:
        m.Criterion.objects.create(standard=standard, code=item.code, **values)
        return 1, 0
    if row.text != item.text and not row.truncated:
        raise ValidationError(
            _("%(where)s: the text of %(code)s differs from the one imported before; import a new version.")
            % {"where": where, "code": item.code}
        )
    changed = any(getattr(row, k) != v for k, v in values.items())
    m.Criterion.objects.filter(pk=row.pk).update(**values)
    return 0, int(changed)


# --- Reading ---------------------------------------------------------------------------------------


def standards_for(user=None) -> QuerySet[Standard]:
    """The ministry's and national lists, and the refinements of the bureaus above ``user``'s
    organisations (a bureau's own list is shown to its institutions)."""
    qs = Standard.objects.select_related("organization", "supersedes", "refines")
    if user is None or getattr(user, "is_superuser", False):
        return qs
    paths = [m.organization.path for m in user.active_memberships().select_related("organization")]
    mine = Q()
    for path in paths:
        mine |= Q(organization__path__startswith=path)  # bureaus below a bureau member
        mine |= Q(organization__path__in=_ancestors(path))  # bureaus above an institution
    return qs.filter(Q(organization=None) | mine) if paths else qs.filter(organization=None)


def _ancestors(path: str) -> list[str]:
    """The tree paths above (and at) ``path``: ``/1/4/`` → ``/1/``, ``/1/4/``."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def current(qs: QuerySet[Standard], on: dt.date | None = None) -> QuerySet[Standard]:
    """Those in force on ``on``: started (or undated) and not superseded by one already in force."""
    on = on or timezone.localdate()
    started = Q(effective_from__isnull=True) | Q(effective_from__lte=on)
    later = Standard.objects.filter(started).values("supersedes_id")
    return qs.filter(started).exclude(pk__in=later.exclude(supersedes_id=None))


def resolve(code: str, *, organization=None, on: dt.date | None = None) -> Criterion:
    """The citable criterion ``code`` names: of a standard in force on ``on`` (the newest version
    when several carry the code), of the ministry's or national lists or a refinement of a bureau
    above ``organization``. A translated ``ValidationError`` when there is none."""
    code = (code or "").strip()
    qs = Criterion.objects.select_related("standard", "article").filter(code=code)
    standards = current(Standard.objects.all(), on)
    scope = Q(standard__organization=None)
    if organization is not None:
        scope |= Q(standard__organization__path__in=_ancestors(organization.path))
    found = (
        qs.filter(scope, standard__in=standards)
        .order_by("-standard__effective_from", "-standard__version")
        .first()
    )
    if found is None:
        raise ValidationError(
            _("There is no major-hazard criterion with the code “%(code)s”.") % {"code": code}
        )
    if not found.citable:
        raise ValidationError(
            _(
                "The text of criterion %(code)s was not obtained in full; "
                "it cannot be cited until it is imported."
            )
            % {"code": code}
        )
    itype = getattr(organization, "institution_type", "") if organization is not None else ""
    if itype and found.standard.institution_types and itype not in found.standard.institution_types:
        raise ValidationError(
            _("Criterion %(code)s belongs to 《%(title)s》, which is not for this type of institution.")
            % {"code": code, "title": found.standard.title}
        )
    return found


def citable_for(organization, on: dt.date | None = None) -> list[Criterion]:
    """The criteria an institution can cite today: of the standards in force for its type (national
    lists and the refinements of the bureaus above it), whole texts only, in the standards' order."""
    standards = current(Standard.objects.all(), on).filter(
        Q(organization=None) | Q(organization__path__in=_ancestors(organization.path))
    )
    itype = getattr(organization, "institution_type", "")
    rows = (
        Criterion.objects.citable()
        .filter(standard__in=standards)
        .select_related("standard", "article")
        .order_by("standard__kind", "standard__code", "article__order", "order")
    )
    return [c for c in rows if not itype or itype in c.standard.institution_types]
