from __future__ import annotations

from uuid import UUID

from ninja import Router

from . import views

router = Router(tags=["dashboards"])


@router.get(
    "/bureaus/{uuid}/screen",
    url_name="dashboards_screen",
    summary="Figures of the big screen of a bureau: institutions, live alarms, open major hazards",
)
def bureau_screen(request, uuid: UUID) -> dict:
    org = views.get_bureau(request.auth, uuid)
    return views.screen_payload(org, request.auth)
