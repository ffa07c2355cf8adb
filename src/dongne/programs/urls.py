from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.program_create, name="program_create"),
    path("<int:pk>/", views.program_detail, name="program_detail"),
    path("<int:pk>/edit/", views.program_edit, name="program_edit"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/registrations/", views.registrations, name="registrations"),
    path("<int:pk>/feedback/", views.feedback_results, name="feedback_results"),
    path("<int:pk>/calendar.ics", views.program_calendar, name="program_calendar"),
    path("<int:pk>/<str:action>/", views.program_action, name="program_action"),
    path("me/", views.my_registrations, name="my_registrations"),
    path("me/calendar/", views.calendar_renew, name="calendar_renew"),
    path("calendar/<str:token>.ics", views.person_calendar, name="person_calendar"),
    path(
        "organisations/<int:organisation_id>/calendar.ics",
        views.organisation_calendar,
        name="organisation_calendar",
    ),
    path(
        "registrations/<int:registration_id>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"
    ),
    path("registrations/<int:registration_id>/feedback/", views.feedback, name="feedback"),
    path(
        "registrations/<int:registration_id>/<str:action>/",
        views.registration_action,
        name="registration_action",
    ),
    path("sessions/<int:session_id>/door/", views.door, name="door"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/remove/", views.session_remove, name="session_remove"),
    path("checkin/<str:token>/", views.checkin_qr, name="checkin_qr"),
    path("certificates/verify/", views.verify, name="verify"),
    path("knowledge/", views.knowledge, name="knowledge"),
    path("knowledge/new/", views.article_edit, name="article_create"),
    path("knowledge/<int:article_id>/", views.article_detail, name="article_detail"),
    path("knowledge/<int:article_id>/edit/", views.article_edit, name="article_edit"),
    path("knowledge/files/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("exhibition/", views.exhibition, name="exhibition"),
    path("exhibition/<int:exhibit_id>/", views.exhibit_detail, name="exhibit_detail"),
    path("exhibition/images/<int:image_id>/", views.exhibit_image, name="exhibit_image"),
    path("exhibition/new/<int:organisation_id>/", views.exhibit_create, name="exhibit_create"),
    path("exhibition/inquiries/<int:inquiry_id>/answer/", views.inquiry_answer, name="inquiry_answer"),
    path("statistics/", views.statistics, name="statistics"),
]
