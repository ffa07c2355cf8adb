"""core.lengths: what does not fit a column is named, whatever the database would have done."""

import decimal

import pytest
from django.db import models

from dongne.core.lengths import _problem


@pytest.mark.parametrize(
    "field, value, fits",
    [
        (models.CharField(max_length=5), "다섯글자다", True),
        (models.CharField(max_length=5), "여섯글자이다", False),
        (models.DecimalField(max_digits=5, decimal_places=2), decimal.Decimal("999.99"), True),
        (models.DecimalField(max_digits=5, decimal_places=2), decimal.Decimal("1000"), False),
        (models.DecimalField(max_digits=5, decimal_places=2), decimal.Decimal("-1000.5"), False),
        (models.DecimalField(max_digits=5, decimal_places=2), decimal.Decimal("0.001"), True),  # rounded
        (models.IntegerField(), 2**31 - 1, True),
        (models.IntegerField(), 2**31, False),
        (models.PositiveSmallIntegerField(), 32767, True),
        (models.PositiveSmallIntegerField(), 32768, False),
        (models.BigIntegerField(), 10**18, True),
        (models.BigIntegerField(), 10**19, False),
        (models.IntegerField(), None, True),
    ],
)
def test_values_that_do_not_fit_are_found(field, value, fits):
    field.name = field.attname = "x"
    field.verbose_name = "값"
    assert (_problem(field, value) is None) is fits
