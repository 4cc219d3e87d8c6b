from django.urls import path

from . import route_views, views

app_name = "inspections"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("checkpoints/", views.checkpoints, name="checkpoints"),
    path("checkpoints/new/", views.checkpoint_create, name="checkpoint_create"),
    path("checkpoints/<uuid:uuid>/", views.checkpoint_scan, name="checkpoint"),
    path("risk-points/<uuid:uuid>/", views.risk_point_tasks, name="risk_point"),
    path("checkpoints/<uuid:uuid>/qr/", views.checkpoint_qr, name="checkpoint_qr"),
    path("tasks/<uuid:uuid>/", views.task_do, name="task"),
    path("records/<uuid:uuid>/", views.record_detail, name="record"),
    path("photos/<uuid:uuid>/", views.photo, name="photo"),
    path("ledger/", views.ledger, name="ledger"),
    path("checklists/", views.checklists, name="checklists"),
    path("checklists/new/", views.checklist_create, name="checklist_create"),
    path("checklists/<uuid:uuid>/", views.checklist_detail, name="checklist"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<uuid:uuid>/", views.plan_detail, name="plan"),
    path("plans/<uuid:uuid>/toggle/", views.plan_toggle, name="plan_toggle"),
    path("routes/", route_views.routes, name="routes"),
    path("routes/<uuid:uuid>/", route_views.route, name="route"),
    path("routes/<uuid:uuid>/edit/", route_views.route_edit, name="route_edit"),
    path("bureau/", views.bureau_start, name="bureau_start"),
    path("bureau/tasks/", views.bureau_tasks, name="bureau_tasks"),
    path("bureau/<uuid:uuid>/", views.bureau_inspect, name="bureau_inspect"),
]
