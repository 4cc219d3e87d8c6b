from django.urls import path

from . import ledgers, setup_views, views

app_name = "food"

urlpatterns = [
    path("", views.home, name="home"),
    path("institutions/<uuid:uuid>/kitchen/", setup_views.kitchen_setup, name="kitchen_setup"),
    path("kitchens/<uuid:uuid>/", views.kitchen, name="kitchen"),
    path("kitchens/<uuid:uuid>/today/", views.today, name="today"),
    path("kitchens/<uuid:uuid>/meals/new/", views.meal_create, name="meal_create"),
    path("meals/<uuid:uuid>/", views.meal_detail, name="meal_detail"),
    path("meals/<uuid:uuid>/disinfection/", views.disinfection_create, name="disinfection_create"),
    path("dishes/<uuid:uuid>/sample/", views.sample_create, name="sample_create"),
    path("dishes/<uuid:uuid>/core-temperature/", views.core_temp, name="core_temp"),
    path("samples/<uuid:uuid>/dispose/", views.sample_dispose, name="sample_dispose"),
    path("kitchens/<uuid:uuid>/suppliers/new/", setup_views.supplier_create, name="supplier_create"),
    path("suppliers/<uuid:uuid>/", setup_views.supplier_detail, name="supplier_detail"),
    path("suppliers/<uuid:uuid>/edit/", setup_views.supplier_edit, name="supplier_edit"),
    path("suppliers/<uuid:uuid>/certificates/new/", setup_views.licence_add, name="licence_add"),
    path("kitchens/<uuid:uuid>/items/", setup_views.items, name="items"),
    path("kitchens/<uuid:uuid>/items/new/", setup_views.item_create, name="item_create"),
    path("items/<uuid:uuid>/edit/", setup_views.item_edit, name="item_edit"),
    path("kitchens/<uuid:uuid>/deliveries/new/", setup_views.purchase_create, name="purchase_create"),
    path("deliveries/<uuid:uuid>/", setup_views.purchase_detail, name="purchase_detail"),
    path("kitchens/<uuid:uuid>/storage/", setup_views.storage, name="storage"),
    path("stock/<uuid:uuid>/out/", setup_views.stock_move, name="stock_move"),
    path("kitchens/<uuid:uuid>/staff/", setup_views.staff_list, name="staff_list"),
    path("kitchens/<uuid:uuid>/staff/new/", setup_views.staff_create, name="staff_create"),
    path("kitchens/<uuid:uuid>/morning-check/", setup_views.morning_check, name="morning_check"),
    path("staff/<uuid:uuid>/", setup_views.staff_detail, name="staff_detail"),
    path("staff/<uuid:uuid>/certificates/new/", setup_views.certificate_add, name="certificate_add"),
    path("kitchens/<uuid:uuid>/refrigerators/", setup_views.fridges, name="fridges"),
    path("kitchens/<uuid:uuid>/refrigerators/new/", setup_views.fridge_create, name="fridge_create"),
    path("kitchens/<uuid:uuid>/temperatures/new/", setup_views.temperature_create, name="temperature_create"),
    path("kitchens/<uuid:uuid>/rules/", setup_views.rule_list, name="rules"),
    path("kitchens/<uuid:uuid>/rules/set/", setup_views.rule_set, name="rule_set"),
]

# One address per photo kind and per ledger (the kind is fixed by the address, never typed).
urlpatterns += [
    path(f"photos/{kind}/<uuid:uuid>/", views.photo, {"kind": kind}, name=f"photo_{kind}")
    for kind in views.PHOTO_MODELS
]
urlpatterns += [
    path(f"ledgers/{kind}/", ledgers.ledger, {"kind": kind}, name=ledgers.url_name(kind))
    for kind in ledgers.LEDGERS
]
urlpatterns += [
    path(f"ledgers/{kind}/pdf/", ledgers.ledger_pdf, {"kind": kind}, name=f"{ledgers.url_name(kind)}_pdf")
    for kind in ledgers.LEDGERS
]
