from django.urls import path

from . import views

app_name = "opportunities"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("for-me/", views.for_me, name="for_me"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/consortium/", views.builder, name="builder"),
    path("<int:pk>/consortium/new/", views.consortium_create, name="consortium_create"),
    path("consortia/", views.consortium_list, name="consortia"),
    path("consortia/<int:pk>/", views.consortium_detail, name="consortium"),
    path("consortia/<int:pk>/members/", views.consortium_member, name="consortium_member"),
    path("consortia/<int:pk>/documents/", views.consortium_document, name="consortium_document"),
    path(
        "consortia/documents/<int:doc_id>/",
        views.consortium_document_download,
        name="consortium_document_download",
    ),
    path("consortia/<int:pk>/milestones/", views.consortium_milestone, name="consortium_milestone"),
    path("consortia/<int:pk>/<str:action>/", views.consortium_transition, name="consortium_transition"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("feeds/", views.feed_runs, name="feeds"),
    path("notifications/", views.notification_settings, name="notifications"),
    path("canvases/", views.canvas_list, name="canvases"),
    path("canvases/new/", views.canvas_create, name="canvas_create"),
    path("canvases/<int:pk>/", views.canvas_detail, name="canvas"),
    path("canvases/<int:pk>/edit/", views.canvas_edit, name="canvas_edit"),
]
