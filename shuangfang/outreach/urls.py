from django.urls import path

from . import campaign_views, gate_views, ledger_views, match_views, plan_views, register_views, views

app_name = "outreach"

urlpatterns = [
    path("", views.index, name="index"),
    path("patrols/start/", views.start, name="start"),
    path("patrols/<uuid:uuid>/", views.patrol_detail, name="patrol"),
    path("patrols/<uuid:uuid>/end/", views.patrol_end, name="patrol_end"),
    path("patrols/<uuid:uuid>/route/", views.patrol_route, name="patrol_route"),
    path("matches/", match_views.match_list, name="matches"),
    path("ledgers/", ledger_views.ledger_list, name="ledgers"),
    path("ledgers/bureau/", ledger_views.bureau_overview, name="bureau_overview"),
    path("ledgers/<slug:name>.xlsx", ledger_views.ledger_export, name="ledger_export"),
    path("register/export.xlsx", ledger_views.register_export, name="register_export"),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/add/", plan_views.plan_add, name="plan_add"),
    path("encounters/<uuid:uuid>/admit/", views.encounter_admit, name="admit"),
]

urlpatterns += [
    path("register/", register_views.register_list, name="register"),
    path("register/<uuid:uuid>/", register_views.register_person, name="register_person"),
    path("register/<uuid:uuid>/assign/", register_views.register_assign, name="register_assign"),
    path("register/<uuid:uuid>/photo/", register_views.register_photo, name="register_photo"),
    path("register/<uuid:uuid>/identity/", register_views.register_identity, name="register_identity"),
    path("register/<uuid:uuid>/remove/", register_views.register_remove, name="register_remove"),
    path("revisits/<uuid:uuid>/", register_views.revisit_done, name="revisit"),
]

urlpatterns += [
    path("campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("campaigns/<uuid:uuid>/", campaign_views.campaign_detail, name="campaign"),
    path(
        "campaigns/<uuid:uuid>/report.<str:fmt>",
        campaign_views.campaign_report,
        name="campaign_report",
    ),
]

urlpatterns += [
    path("gate/", gate_views.gate_page, name="gate"),
    path("gate/<uuid:uuid>/out/", gate_views.gate_out, name="gate_out"),
    path("gate/closed/", gate_views.closed_start, name="closed_start"),
    path("gate/closed/<uuid:uuid>/end/", gate_views.closed_end, name="closed_end"),
    path("gate/closed/<uuid:uuid>/check/", gate_views.closed_check, name="closed_check"),
]
