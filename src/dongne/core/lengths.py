"""Text longer than its column is refused the same way on every database.

PostgreSQL raises DataError for a value longer than a varchar's max_length (a 500), while SQLite stores it
whole; a form catches it, but the API, importers and feeds write through services that need not. One check
before every save of the platform's own models turns it into a field error (400 in the API, a message in the
UI) on both engines, and the surrounding transaction stores nothing."""

from django.db.models import CharField
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from .errors import ValidationError


@receiver(pre_save, dispatch_uid="dongne.core.lengths")
def check_text_lengths(sender, instance, raw=False, **kwargs):
    if raw or not sender.__module__.startswith("dongne."):
        return  # fixtures load as they are; other apps' models (sessions, huey) are theirs
    for field in sender._meta.concrete_fields:
        if not isinstance(field, CharField) or not field.max_length:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, str) and len(value) > field.max_length:
            raise ValidationError.on(
                field.name,
                _("%(field)s can be at most %(max)s characters long (this is %(n)s)."),
                params={"field": field.verbose_name, "max": field.max_length, "n": len(value)},
            )
