from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="core/password_reset.html",
            email_template_name="core/email/password_reset.txt",
            subject_template_name="core/email/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="core/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="core/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("accounts/invitations/", views.invitations, name="invitations"),
    path(
        "accounts/invitations/<int:invitation_id>/revoke/", views.revoke_invitation, name="revoke_invitation"
    ),
    path("accounts/invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("accounts/privacy/", views.privacy, name="privacy"),
    path("accounts/privacy/export.json", views.privacy_export, name="privacy_export"),
    path("accounts/privacy/erase/", views.privacy_erase, name="privacy_erase"),
    path("accounts/privacy/requests/", views.erasure_requests, name="erasure_requests"),
    path(
        "accounts/privacy/requests/<int:request_id>/approve/",
        views.decide_erasure,
        {"approve": True},
        name="approve_erasure",
    ),
    path(
        "accounts/privacy/requests/<int:request_id>/refuse/",
        views.decide_erasure,
        {"approve": False},
        name="refuse_erasure",
    ),
    path("audit/", views.audit_log, name="audit"),
    path("jobs/", views.failed_jobs, name="failed_jobs"),
    path(
        "jobs/<int:failure_id>/retry/", views.handle_failed_job, {"action": "retry"}, name="retry_failed_job"
    ),
    path(
        "jobs/<int:failure_id>/dismiss/",
        views.handle_failed_job,
        {"action": "dismiss"},
        name="dismiss_failed_job",
    ),
]
