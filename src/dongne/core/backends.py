from django.contrib.auth.backends import ModelBackend

from .choices import Role


class RoleBackend(ModelBackend):
    """E-mail login, plus: the secretariat holds every model permission, so Django admin is
    theirs for power use without per-model grants. Other roles get no admin permissions."""

    def has_perm(self, user_obj, perm, obj=None):
        if user_obj.is_active and getattr(user_obj, "role", "") == Role.SECRETARIAT:
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if user_obj.is_active and getattr(user_obj, "role", "") == Role.SECRETARIAT:
            return True
        return super().has_module_perms(user_obj, app_label)
