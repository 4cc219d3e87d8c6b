from django.urls import path

from . import views

app_name = "risks"

urlpatterns = [
    path("", views.point_list, name="index"),
    path("points/new/", views.point_create, name="point_create"),
    path("points/<uuid:uuid>/", views.point_detail, name="point"),
    path("points/<uuid:uuid>/edit/", views.point_edit, name="point_edit"),
    path("points/<uuid:uuid>/review/", views.point_review, name="point_review"),
    path("points/<uuid:uuid>/factors/new/", views.factor_create, name="factor_create"),
    path("points/<uuid:uuid>/card.pdf", views.point_card, name="point_card"),
    path("posts/<uuid:uuid>/card.pdf", views.post_card, name="post_card"),
    path("factors/<uuid:uuid>/edit/", views.factor_edit, name="factor_edit"),
    path("factors/<uuid:uuid>/assess/", views.assess, name="assess"),
    path("factors/<uuid:uuid>/measures/new/", views.measure_create, name="measure_create"),
    path("measures/<uuid:uuid>/edit/", views.measure_edit, name="measure_edit"),
    path("methods/", views.methods, name="methods"),
    path("inventory/", views.inventory_list, name="inventory"),
    path("inventory/import/", views.inventory_import, name="import"),
    path("inventory/template.xlsx", views.inventory_template, name="import_template"),
    path("map/", views.floors, name="floors"),
    path("map/<uuid:uuid>/", views.floor_map, name="floor"),
    path("map/<uuid:uuid>/plan", views.floor_plan, name="floor_plan"),
    path("map/<uuid:uuid>/upload/", views.floor_upload, name="floor_upload"),
    path("map/<uuid:uuid>/place/", views.floor_place, name="floor_place"),
    path("map/<uuid:uuid>/map.pdf", views.floor_pdf, name="floor_pdf"),
    path("library/", views.library, name="library"),
    path("library/<uuid:uuid>/adopt/", views.library_adopt, name="library_adopt"),
    path("library/<uuid:uuid>/edit/", views.library_edit, name="library_edit"),
    path("reviews/", views.reviews, name="reviews"),
    path("overview/", views.overview, name="overview"),
    path("palette/", views.palette_edit, name="palette"),
]
