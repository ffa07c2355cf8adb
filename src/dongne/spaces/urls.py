from django.urls import path

from . import views

app_name = "spaces"
urlpatterns = [
    path("", views.index, name="index"),
    path("facilities/<int:pk>/", views.facility_detail, name="facility"),
    path("facilities/<int:pk>/calendar.ics", views.facility_ics, name="facility_ics"),
    path("bookings/<int:pk>/cancel/", views.cancel_booking, name="cancel_booking"),
    path("applications/", views.applications, name="applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/score/", views.application_score, name="application_score"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("applications/<int:pk>/lease/", views.application_lease, name="application_lease"),
    path("documents/<int:pk>/", views.application_document, name="document"),
    path("leases/", views.leases, name="leases"),
    path("leases/<int:pk>/", views.lease_detail, name="lease"),
    path("leases/<int:pk>/<str:action>/", views.lease_action, name="lease_action"),
    path("reports/", views.reports, name="reports"),
    path("rubric/", views.rubric, name="rubric"),
    path("activity/", views.activity_report, name="activity_report"),
    path("setup/", views.setup, name="setup"),
    path("setup/buildings/", views.setup_building, name="setup_building"),
    path("setup/buildings/<int:pk>/", views.setup_building_edit, name="setup_building_edit"),
    path("setup/floors/", views.setup_floor, name="setup_floor"),
    path("setup/units/", views.setup_unit, name="setup_unit"),
    path("setup/units/<int:pk>/", views.setup_unit_edit, name="setup_unit_edit"),
    path("setup/units/<int:pk>/availability/", views.setup_unit_availability, name="setup_unit_availability"),
    path("setup/facilities/", views.setup_facility, name="setup_facility"),
    path("setup/facilities/<int:pk>/", views.setup_facility_edit, name="setup_facility_edit"),
]
