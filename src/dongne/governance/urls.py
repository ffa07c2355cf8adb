from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("", views.index, name="index"),
    path("capital/", views.capital, name="capital"),
    path("capital/settings/", views.cooperative_settings, name="cooperative_settings"),
    path("capital/<str:action>/", views.capital_action, name="capital_action"),
    path("statement/", views.statement, name="my_statement"),
    path("statement/<int:organisation_id>/", views.statement, name="statement"),
    path("register.<str:fmt>", views.register_export, name="register"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/items/<int:item_pk>/resolve/", views.item_resolve, name="item_resolve"),
    path("meetings/<int:pk>/items/<int:item_pk>/expulsion/", views.item_expulsion, name="item_expulsion"),
    path("meetings/<int:pk>/minutes/", views.minutes_draft, name="minutes_draft"),
    path("meetings/<int:pk>/minutes/confirm/", views.minutes_confirm, name="minutes_confirm"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("polls/", views.polls, name="polls"),
    path("polls/<int:pk>/", views.poll_detail, name="poll_detail"),
    path("polls/<int:pk>/vote/", views.poll_vote, name="poll_vote"),
    path("polls/<int:pk>/close/", views.poll_close, name="poll_close"),
    path("officers/", views.officers, name="officers"),
    path("reports/", views.reports, name="reports"),
    path("reports/impact/", views.impact_report, name="impact"),
    path("reports/<int:year>/", views.report_detail, name="report_detail"),
    path("reports/<int:year>.pdf", views.report_pdf, name="report_pdf"),
    path("reports/<int:year>/publish/", views.report_publish, name="report_publish"),
    path("log/", views.log, name="log"),
]
