from django.urls import path

from .views import cards, floors, inventory, levels, library, points

app_name = "risks"

urlpatterns = [
    path("", points.point_list, name="index"),
    path("points/new/", points.point_create, name="point_create"),
    path("points/<uuid:uuid>/", points.point_detail, name="point"),
    path("points/<uuid:uuid>/edit/", points.point_edit, name="point_edit"),
    path("points/<uuid:uuid>/review/", points.point_review, name="point_review"),
    path("points/<uuid:uuid>/factors/new/", points.factor_create, name="factor_create"),
    path("points/<uuid:uuid>/card.pdf", cards.point_card, name="point_card"),
    path("posts/<uuid:uuid>/card.pdf", cards.post_card, name="post_card"),
    path("factors/<uuid:uuid>/edit/", points.factor_edit, name="factor_edit"),
    path("factors/<uuid:uuid>/assess/", points.assess, name="assess"),
    path("factors/<uuid:uuid>/measures/new/", points.measure_create, name="measure_create"),
    path("measures/<uuid:uuid>/edit/", points.measure_edit, name="measure_edit"),
    path("methods/", levels.methods, name="methods"),
    path("methods/<uuid:uuid>/revise/", levels.method_revise, name="method_revise"),
    path("inventory/", inventory.inventory_list, name="inventory"),
    path("map/", floors.floors, name="floors"),
    path("map/<uuid:uuid>/", floors.floor_map, name="floor"),
    path("map/<uuid:uuid>/plan", floors.floor_plan, name="floor_plan"),
    path("map/<uuid:uuid>/upload/", floors.floor_upload, name="floor_upload"),
    path("map/<uuid:uuid>/place/", floors.floor_place, name="floor_place"),
    path("map/<uuid:uuid>/map.pdf", floors.floor_pdf, name="floor_pdf"),
    path("library/", library.library, name="library"),
    path("library/<uuid:uuid>/adopt/", library.library_adopt, name="library_adopt"),
    path("library/<uuid:uuid>/edit/", library.library_edit, name="library_edit"),
    path("reviews/", points.reviews, name="reviews"),
    path("overview/", levels.overview, name="overview"),
    path("palette/", levels.palette_edit, name="palette"),
]
