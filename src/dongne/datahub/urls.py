from django.urls import path

from . import views

app_name = "datahub"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("new/", views.dataset_create, name="dataset_create"),
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
    path("<slug:slug>/", views.dataset_detail, name="dataset_detail"),
    path("<slug:slug>/edit/", views.dataset_edit, name="dataset_edit"),
    path("<slug:slug>/upload/", views.upload_version, name="upload_version"),
    path("<slug:slug>/pull/", views.pull, name="pull"),
    path("<slug:slug>/download.<str:fmt>", views.download, name="download"),
]
