from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shuangfang.core.forms import add_service_errors as _form_error
from shuangfang.core.listing import Column, ListPage
from shuangfang.core.models import AuditEntry, Job
from shuangfang.core.tenancy import can, get_for_user, require_perm
from shuangfang.core.types import AuthedRequest

from . import importing, services
from .filters import PersonFilter
from .forms import MembershipForm, OrganizationForm, PersonCreateForm, PersonForm, PostForm
from .models import Membership, Organization, OrgKind, Post, User

# --- Organisation tree ---------------------------------------------------------------------------


@require_perm("org.view")
def org_tree(request: AuthedRequest) -> HttpResponse:
    orgs = list(
        Organization.objects.for_user(request.user, "org.view").annotate(member_count=Count("memberships"))
    )
    depth0 = min((o.depth for o in orgs), default=0)
    for o in orgs:
        o.indent = o.depth - depth0  # type: ignore[attr-defined]
    return render(request, "orgs/tree.html", {"orgs": orgs})


@require_perm("org.view")
def org_detail(request: AuthedRequest, uuid) -> HttpResponse:
    org = get_for_user(Organization, request.user, "org.view", uuid=uuid)
    children = Organization.objects.filter(parent=org).order_by("kind", "name")
    members = []
    if can(request.user, "people.view", org):
        members = list(
            Membership.objects.active()
            .filter(organization=org)
            .select_related("user", "post")
            .order_by("role", "user__name")
        )
    posts = Post.objects.filter(organization=org).select_related("department") if org.is_institution else []
    history = (
        AuditEntry.objects.filter(organization=org).select_related("actor", "content_type")[:20]
        if can(request.user, "audit.view", org)
        else []
    )
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "breadcrumb": org.ancestors(),
            "children": children,
            "members": members,
            "posts": posts,
            "history": history,
            "can_manage": can(request.user, "org.manage", org),
            "can_audit": can(request.user, "audit.view", org),
        },
    )


@require_perm("org.manage")
def org_create(request: AuthedRequest, uuid) -> HttpResponse:
    parent = get_for_user(Organization, request.user, "org.manage", uuid=uuid)
    form = OrganizationForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organization(actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": org.name})
            return redirect("orgs:detail", uuid=org.uuid)
    return render(
        request,
        "orgs/form.html",
        {
            "form": form,
            "title": _("New unit under %(name)s") % {"name": parent.name},
            "breadcrumb": parent.ancestors(),
        },
    )


@require_perm("org.manage")
def org_edit(request: AuthedRequest, uuid) -> HttpResponse:
    org = get_for_user(Organization, request.user, "org.manage", uuid=uuid)
    form = OrganizationForm(request.POST or None, instance=Organization.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(
                actor=request.user, org=org, **{k: v for k, v in form.cleaned_data.items() if k != "kind"}
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:detail", uuid=org.uuid)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": org.name}, "breadcrumb": org.ancestors()},
    )


@require_perm("audit.view")
def org_audit(request: AuthedRequest, uuid) -> HttpResponse:
    org = get_for_user(Organization, request.user, "audit.view", uuid=uuid)
    qs = (
        AuditEntry.objects.for_user(request.user, "audit.view")
        .filter(organization__path__startswith=org.path)
        .select_related("actor", "organization", "content_type")
    )
    page = ListPage(
        request,
        qs,
        columns=[
            Column(_("Time"), lambda e: e.created_at),
            Column(_("By"), lambda e: e.actor or _("system")),
            Column(_("Organisation"), lambda e: e.organization),
            Column(_("Action"), lambda e: e.action_label),
            Column(_("Object"), lambda e: e.shown_object),
            Column(_("Changes"), lambda e: e.changes_text),
        ],
        template="orgs/audit.html",
        export_name=f"audit-{org.name}",
        context={"org": org, "breadcrumb": org.ancestors()},
    )
    return page.response()


# --- Posts ---------------------------------------------------------------------------------------


@require_perm("org.manage")
def post_create(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(Organization, request.user, "org.manage", uuid=uuid, kind=OrgKind.INSTITUTION)
    form = PostForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_post(
                actor=request.user,
                institution=institution,
                name=form.cleaned_data["name"],
                department=form.cleaned_data["department"],
                duties=form.cleaned_data["duties"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:detail", uuid=institution.uuid)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": _("New post"), "breadcrumb": institution.ancestors()},
    )


@require_perm("org.manage")
def post_edit(request: AuthedRequest, uuid) -> HttpResponse:
    post = get_for_user(Post, request.user, "org.manage", uuid=uuid)
    form = PostForm(
        request.POST or None, instance=Post.objects.get(pk=post.pk), institution=post.organization
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_post(actor=request.user, post=post, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:detail", uuid=post.organization.uuid)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": _("Edit post"), "breadcrumb": post.organization.ancestors()},
    )


# --- People --------------------------------------------------------------------------------------


def _memberships_text(person: User) -> str:
    return "; ".join(f"{m.organization} · {m.get_role_display()}" for m in person.memberships.all())


@require_perm("people.view")
def person_list(request: AuthedRequest) -> HttpResponse:
    qs = (
        User.objects.for_user(request.user, "people.view")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("organization")))
        .order_by("name")
    )
    page = ListPage(
        request,
        qs,
        filterset_class=PersonFilter,
        columns=[
            Column(_("Full name"), lambda p: p.name, link=lambda p: reverse("orgs:person", args=[p.uuid])),
            Column(_("Login name"), lambda p: p.username),
            Column(_("Mobile phone"), lambda p: p.phone),
            Column(_("Roles"), _memberships_text),
            Column(_("Active"), lambda p: p.is_active),
        ],
        template="orgs/people.html",
        export_name="people",
        context={"can_manage": can_manage_anywhere(request.user)},
    )
    return page.response()


def can_manage_anywhere(user) -> bool:
    from shuangfang.core.tenancy import has_perm_anywhere

    return has_perm_anywhere(user, "org.manage")


@require_perm("people.view")
def person_detail(request: AuthedRequest, uuid) -> HttpResponse:
    person = get_for_user(User.objects.all(), request.user, "people.view", uuid=uuid)
    memberships = person.memberships.select_related("organization", "post")
    can_manage = any(can(request.user, "org.manage", m.organization) for m in memberships)
    history = (
        AuditEntry.objects.for_object(person).select_related("actor", "content_type")[:30]
        if can_manage
        else []
    )
    return render(
        request,
        "orgs/person.html",
        {"person": person, "memberships": memberships, "can_manage": can_manage, "history": history},
    )


@require_perm("org.manage")
def person_create(request: AuthedRequest) -> HttpResponse:
    form = PersonCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person, password = services.create_person(
                actor=request.user,
                username=data["username"],
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                membership=services.NewMembership(
                    organization=data["organization"],
                    role=data["role"],
                    post=data["post"],
                    valid_until=data["valid_until"],
                ),
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "%(name)s can now log in as %(username)s with the initial password %(password)s "
                    "(they must change it at first login)."
                )
                % {"name": person.name, "username": person.username, "password": password},
            )
            return redirect("orgs:person", uuid=person.uuid)
    return render(request, "orgs/form.html", {"form": form, "title": _("New person")})


def _managed_person(request: AuthedRequest, uuid) -> User:
    person = get_for_user(User.objects.all(), request.user, "people.view", uuid=uuid)
    if not any(
        can(request.user, "org.manage", m.organization)
        for m in person.memberships.select_related("organization")
    ):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("org.manage")
    return person


@require_perm("org.manage")
def person_edit(request: AuthedRequest, uuid) -> HttpResponse:
    person = _managed_person(request, uuid)
    form = PersonForm(request.POST or None, instance=User.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:person", uuid=person.uuid)
    return render(request, "orgs/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": person}})


@require_perm("org.manage")
def membership_add(request: AuthedRequest, uuid) -> HttpResponse:
    person = _managed_person(request, uuid)
    form = MembershipForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_membership(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:person", uuid=person.uuid)
    return render(
        request, "orgs/form.html", {"form": form, "title": _("Add a role for %(name)s") % {"name": person}}
    )


@require_POST
@require_perm("org.manage")
def membership_end(request: AuthedRequest, uuid) -> HttpResponse:
    membership = get_for_user(
        Membership.objects.select_related("user", "organization").all(), request.user, "org.manage", uuid=uuid
    )
    try:
        services.end_membership(actor=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role was removed."))
    return redirect("orgs:person", uuid=membership.user.uuid)


@require_POST
@require_perm("org.manage")
def person_reset_password(request: AuthedRequest, uuid) -> HttpResponse:
    person = _managed_person(request, uuid)
    password = services.reset_password(actor=request.user, person=person)
    messages.success(
        request,
        _("The new temporary password of %(name)s is %(password)s. They must change it at next login.")
        % {"name": person, "password": password},
    )
    return redirect("orgs:person", uuid=person.uuid)


@require_POST
@require_perm("org.manage")
def person_toggle_active(request: AuthedRequest, uuid) -> HttpResponse:
    person = _managed_person(request, uuid)
    try:
        services.update_person(actor=request.user, person=person, is_active=not person.is_active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("orgs:person", uuid=person.uuid)


@login_required
@never_cache
def people_import_passwords(request: AuthedRequest, uuid) -> HttpResponse:
    """The initial passwords of a people import (``importing``): its owner's only, shown once."""
    job = get_object_or_404(
        Job, uuid=uuid, owner=request.user, task="core.import", params__sheet=importing.SHEET.name
    )
    if job.status != Job.DONE:
        raise Http404
    rows = importing.take_passwords(job)
    return render(request, "orgs/import_passwords.html", {"job": job, "rows": rows})


# Its owner's import job only (like core's job pages): no other permission grants it.
people_import_passwords.required_permission = "core.jobs: the job's owner"  # type: ignore[attr-defined]
