from django.urls import path

from . import reseller_views as views

app_name = "accounts_reseller"

urlpatterns = [
    path("", views.console, name="console"),
    path("children/new/", views.child_new, name="child_new"),
    path("children/<uuid:child_id>/", views.child_detail, name="child"),
    path("children/<uuid:child_id>/transfer/", views.child_transfer, name="child_transfer"),
    path("children/<uuid:child_id>/review/", views.child_review, name="child_review"),
    path("children/<uuid:child_id>/workspace/", views.child_workspace, name="child_workspace"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger.csv", views.ledger_csv, name="ledger_csv"),
    path("ledger/<uuid:entry_id>/", views.ledger_entry, name="entry"),
]
