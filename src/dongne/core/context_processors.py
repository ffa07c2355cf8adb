from django.conf import settings

from .choices import Role


def platform(request):
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    return {
        "SITE_URL": settings.SITE_URL,
        "is_secretariat": bool(
            user and user.is_authenticated and (role == Role.SECRETARIAT or user.is_superuser)
        ),
        "is_officer": bool(
            user
            and user.is_authenticated
            and (role in (Role.SECRETARIAT, Role.CHAIR, Role.DIRECTOR, Role.AUDITOR) or user.is_superuser)
        ),
        "can_audit": bool(
            user and user.is_authenticated and (role in (Role.SECRETARIAT, Role.AUDITOR) or user.is_superuser)
        ),
    }
