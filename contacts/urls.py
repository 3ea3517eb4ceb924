from django.urls import path

from . import field_views, privacy_views, suppression_views, views

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_new, name="new"),
    path("export.csv", views.contacts_export, name="export"),
    path("bulk/", views.contacts_bulk, name="bulk"),
    path("<uuid:contact_id>/", views.contact_detail, name="detail"),
    path("<uuid:contact_id>/edit/", views.contact_edit, name="edit"),
    path("<uuid:contact_id>/data.zip", privacy_views.contact_data, name="data"),
    path("<uuid:contact_id>/erase/", privacy_views.contact_erase, name="erase"),
    path("suppressed/", suppression_views.suppressions, name="suppressions"),
    path(
        "suppressed/<uuid:suppression_id>/lift/",
        suppression_views.suppression_lift_view,
        name="suppression_lift",
    ),
    path("privacy/", privacy_views.privacy_home, name="privacy"),
    path("privacy/data.zip", privacy_views.person_data, name="person_data"),
    path("privacy/erase/", privacy_views.person_erase, name="person_erase"),
    path("fields/", field_views.custom_fields, name="fields"),
    path("groups/", views.group_list, name="groups"),
    path("groups/<uuid:group_id>/", views.group_detail, name="group"),
    path("groups/<uuid:group_id>/empty/", views.group_empty, name="group_empty"),
    path("groups/<uuid:group_id>/delete/", views.group_delete, name="group_delete"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<uuid:import_id>/", views.import_detail, name="import"),
    path("imports/<uuid:import_id>/resume/", views.import_resume, name="import_resume"),
    path("imports/<uuid:import_id>/to-fix.csv", views.import_issues_csv, name="import_issues"),
    path("gateway/", views.address_book, name="sync"),
    path("gateway/push/", views.address_book_retry, name="sync_push"),
    path("gateway/resync/", views.address_book_resync, name="sync_resync"),
    path(
        "gateway/delete-contacts/", views.address_book_delete_contacts, name="sync_delete_contacts"
    ),
    path("gateway/delete-groups/", views.address_book_delete_groups, name="sync_delete_groups"),
]
