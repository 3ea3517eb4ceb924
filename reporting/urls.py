from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/", views.reports, name="reports"),
    path("reports/schedules/", views.schedule_create, name="schedule_create"),
    path(
        "reports/schedules/<uuid:schedule_id>/delete/",
        views.schedule_delete,
        name="schedule_delete",
    ),
    path("reports/<uuid:snapshot_id>/", views.snapshot_detail, name="snapshot"),
    path("reports/<uuid:snapshot_id>/refresh/", views.snapshot_refresh, name="snapshot_refresh"),
    path("reports/<uuid:snapshot_id>/original.csv", views.snapshot_original, name="original"),
    path("reports/<uuid:snapshot_id>/view.csv", views.snapshot_view_csv, name="view_csv"),
    path("reports/<uuid:snapshot_id>/view.xlsx", views.snapshot_view_xlsx, name="view_xlsx"),
    path("reports/<uuid:snapshot_id>/raw.txt", views.snapshot_raw, name="raw"),
]
