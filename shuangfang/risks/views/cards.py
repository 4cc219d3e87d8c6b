"""Risk notification cards (岗位风险告知卡, 应急处置卡) as PDF, for a risk point or a post."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core.pdf import pdf_response, render_pdf
from shuangfang.core.qr import qr_png
from shuangfang.core.tenancy import get_for_user, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Post
from shuangfang.risks.choices import MeasureCategory, RiskLevel, palette_for

from .points import point_detail_qs


def _card_context(request, institution, points, title, subject):
    palette = palette_for(institution)
    factors = [f for p in points for f in p.factors.all()]
    level = min((p.level for p in points if p.level), default=None)
    measures = [m for f in factors for m in f.measures.all()]
    by_cat = {c.value: [m for m in measures if m.category == c.value] for c in MeasureCategory}
    responsible = sorted({m.responsible_display for m in measures if m.responsible_display})
    accidents = sorted({a for f in factors for a in f.accident_types})
    return {
        "palette": palette,
        "title": title,
        "subject": subject,
        "institution": institution,
        "points": points,
        "factors": factors,
        "level": level,
        "level_label": RiskLevel(level).label if level else "",
        "colour": palette.colour(level),
        "text_colour": palette.text_colour(level),
        "colour_name": palette.name(level),
        "by_cat": by_cat,
        "prevent": [m for c in ("engineering", "management", "training", "protection") for m in by_cat[c]],
        "emergency": by_cat["emergency"],
        "responsible": responsible,
        "accidents": accidents,
        "phones": [("火警", "119"), ("急救", "120"), (institution.name, institution.phone)],
        "today": timezone.localdate(),
        "qr": base64.b64encode(
            qr_png(points[0].get_absolute_url() if len(points) == 1 else request.path, scale=4)
        ).decode(),
    }


@require_perm("risk.view")
def point_card(request: AuthedRequest, uuid) -> HttpResponse:
    point = get_for_user(point_detail_qs(), request.user, "risk.view", uuid=uuid)
    kind = request.GET.get("kind", "post")
    if kind not in ("post", "emergency"):
        raise Http404
    title = _("Post risk notification card") if kind == "post" else _("Emergency disposal card")
    ctx = _card_context(
        request, point.organization, [point], title, point.post.name if point.post else point.name
    )
    ctx["kind"] = kind
    ctx["code"] = point.code
    data = render_pdf("risks/card_pdf.html", ctx, request=request)
    return pdf_response(data, f"{point.code}-{kind}.pdf")


@require_perm("risk.view")
def post_card(request: AuthedRequest, uuid) -> HttpResponse:
    post = get_for_user(Post.objects.select_related("organization"), request.user, "risk.view", uuid=uuid)
    points = list(point_detail_qs().filter(post=post, is_active=True))
    if not points:
        messages.info(request, _("No risk point is linked to the post %(post)s yet.") % {"post": post.name})
        return redirect("risks:index")
    ctx = _card_context(request, post.organization, points, _("Post risk notification card"), post.name)
    ctx["kind"] = "post"
    ctx["code"] = post.name
    data = render_pdf("risks/card_pdf.html", ctx, request=request)
    return pdf_response(data, f"post-card-{post.name}.pdf")
