from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("", views.org_tree, name="tree"),
    path("<uuid:uuid>/", views.org_detail, name="detail"),
    path("<uuid:uuid>/new/", views.org_create, name="create"),
    path("<uuid:uuid>/edit/", views.org_edit, name="edit"),
    path("<uuid:uuid>/audit/", views.org_audit, name="audit"),
    path("<uuid:uuid>/posts/new/", views.post_create, name="post_create"),
    path("posts/<uuid:uuid>/edit/", views.post_edit, name="post_edit"),
    path("people/", views.person_list, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path(
        "people/import/<uuid:uuid>/passwords/", views.people_import_passwords, name="people_import_passwords"
    ),
    path("people/<uuid:uuid>/", views.person_detail, name="person"),
    path("people/<uuid:uuid>/edit/", views.person_edit, name="person_edit"),
    path("people/<uuid:uuid>/roles/new/", views.membership_add, name="membership_add"),
    path("people/<uuid:uuid>/reset-password/", views.person_reset_password, name="person_reset_password"),
    path("people/<uuid:uuid>/toggle-active/", views.person_toggle_active, name="person_toggle_active"),
    path("memberships/<uuid:uuid>/end/", views.membership_end, name="membership_end"),
]
