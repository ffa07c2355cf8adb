from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/people/", views.person_add, name="person_add"),
    path("organisations/<int:pk>/products/", views.product_add, name="product_add"),
    path("organisations/<int:pk>/apply/", views.membership_apply, name="membership_apply"),
    path("memberships/", views.memberships, name="memberships"),
    path("memberships/<int:pk>/<str:action>/", views.membership_action, name="membership_action"),
    path("mous/", views.mous, name="mous"),
    path("mous/new/", views.mou_create, name="mou_create"),
    path("mous/<int:pk>/", views.mou_detail, name="mou_detail"),
    path("mous/<int:pk>/activities/", views.mou_activity_add, name="mou_activity_add"),
    path("mous/<int:pk>/documents/", views.mou_document_add, name="mou_document_add"),
    path("mous/documents/<int:doc_id>/", views.mou_document_download, name="mou_document_download"),
    path("import/", views.import_members, name="import"),
    path("export.<str:fmt>", views.export_members, name="export"),
]
