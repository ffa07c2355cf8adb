"""Values that do not fit their column are refused the same way on every database.

PostgreSQL raises DataError for text longer than a varchar's max_length, a number beyond an integer column's
range or a decimal with more digits than its column holds (a 500), while SQLite stores them as they are; a form
catches some, but the API, importers and feeds write through services that need not. One check before every
save of the platform's own models turns each into a field error (400 in the API, a message in the UI) on both
engines, and the surrounding transaction stores nothing. Ranges are PostgreSQL's, the stricter of the two."""

import decimal

from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from .errors import ValidationError

INTEGER_RANGES = {
    "SmallIntegerField": (-(2**15), 2**15 - 1),
    "PositiveSmallIntegerField": (0, 2**15 - 1),
    "IntegerField": (-(2**31), 2**31 - 1),
    "PositiveIntegerField": (0, 2**31 - 1),
    "BigIntegerField": (-(2**63), 2**63 - 1),
    "PositiveBigIntegerField": (0, 2**63 - 1),
}


def _problem(field, value):
    if isinstance(field, models.CharField) and field.max_length:
        if isinstance(value, str) and len(value) > field.max_length:
            return _("%(field)s can be at most %(max)s characters long (this is %(n)s)."), {
                "max": field.max_length,
                "n": len(value),
            }
    elif isinstance(field, models.DecimalField) and isinstance(value, decimal.Decimal | int):
        value = decimal.Decimal(value)
        if value.is_finite():
            whole_digits = max(len(value.quantize(1, rounding=decimal.ROUND_DOWN).as_tuple().digits), 0)
            if value.copy_abs() >= 1 and whole_digits > field.max_digits - field.decimal_places:
                return _("%(field)s is too large: at most %(digits)s digits before the decimal point."), {
                    "digits": field.max_digits - field.decimal_places
                }
    elif isinstance(field, models.IntegerField) and not isinstance(field, models.AutoField):
        bounds = INTEGER_RANGES.get(field.get_internal_type())
        if bounds and isinstance(value, int) and not isinstance(value, bool):
            low, high = bounds
            if not low <= value <= high:
                return _("%(field)s must be between %(low)s and %(high)s."), {"low": low, "high": high}
    return None


@receiver(pre_save, dispatch_uid="dongne.core.lengths")
def check_column_fit(sender, instance, raw=False, **kwargs):
    if raw or not sender.__module__.startswith("dongne."):
        return  # fixtures load as they are; other apps' models (sessions, huey) are theirs
    for field in sender._meta.concrete_fields:
        found = _problem(field, getattr(instance, field.attname))
        if found:
            message, params = found
            raise ValidationError.on(field.name, message, params={"field": field.verbose_name, **params})
