"""Filters of the insights dashboards: plain GET forms (bookmarkable, and what htmx sends on a change)."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from dongne.core.regions import CHUNCHEON, emd_of, sigungu

from .analyses import INDUSTRIES, VISITOR_TYPES, Filters

VISITOR_TYPE_LABELS = {
    "local": _("Local residents"),
    "other": _("Visitors from other regions"),
    "foreign": _("Foreign visitors"),
}
GRAINS = (("day", _("Daily")), ("week", _("Weekly")), ("month", _("Monthly")))
MOVING_AVERAGE = {"day": 7, "week": 4, "month": 3}  # a week, a month, a quarter


def visitor_type_label(code):
    return VISITOR_TYPE_LABELS.get(code, code)


def area_choices():
    """춘천시 first (the default), then Gangwon's other 시군구, then Chuncheon's 읍면동 (grouped)."""
    counties = sigungu()
    choices = [(CHUNCHEON, counties[CHUNCHEON])]
    choices.append(
        (
            _("Other cities and counties of Gangwon"),
            [(code, name) for code, name in counties.items() if code != CHUNCHEON],
        )
    )
    choices.append((_("Eup, myeon and dong of Chuncheon"), list(emd_of(CHUNCHEON).items())))
    return choices


def area_name(code):
    if not code:
        return ""
    if len(code) == 5:
        return sigungu().get(code, code)
    name = emd_of(code[:5]).get(code)
    return f"{sigungu().get(code[:5], '')} {name}".strip() if name else code


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BaseFilterForm(forms.Form):
    """Shared cleaning: every field is optional, and the form hands the analyses a :class:`Filters`."""

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period comes before its start."))
        return data

    def value(self, name, default=None):
        """The cleaned value, or the initial one when the form is unbound or the value is invalid."""
        if self.is_bound and self.is_valid():
            value = self.cleaned_data.get(name)
            return value if value not in (None, "") else default
        return self.initial.get(name, default) or default


class OverviewFilterForm(BaseFilterForm):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    area = forms.ChoiceField(label=_("Area"), required=False)
    visitor_type = forms.ChoiceField(label=_("Visitor type"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    grain = forms.ChoiceField(label=_("Time step"), required=False, choices=GRAINS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices()
        self.fields["visitor_type"].choices = [("", _("All visitors"))] + [
            (code, visitor_type_label(code)) for code in VISITOR_TYPES
        ]
        self.fields["industry"].choices = [("", _("All industries"))] + [(i, i) for i in INDUSTRIES]

    def filters(self, *, area=True, visitor_type=True, industry=True, level=None):
        """The analyses' Filters from this form; the flags leave one filter out (e.g. the maps show every area)."""
        code = self.value("area", CHUNCHEON) if area else None
        vt = self.value("visitor_type") if visitor_type else None
        ind = self.value("industry") if industry else None
        return Filters(
            start=self.value("start"),
            end=self.value("end"),
            areas=(code,) if code else (),
            visitor_types=(vt,) if vt else (),
            industries=(ind,) if ind else (),
            level=level,
        )


class OpportunityFilterForm(OverviewFilterForm):
    """The overview's filters that matter for opportunities: period, area and industry."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["visitor_type"]
        del self.fields["grain"]


class KeywordFilterForm(BaseFilterForm):
    month = forms.RegexField(
        label=_("Month"),
        required=False,
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Enter the month as YYYY-MM, e.g. 2025-05.")},
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    area = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        if months:  # the months with reviews, when the catalog knows them; otherwise any month may be typed
            self.fields["month"].widget = forms.Select(
                choices=[("", _("Latest month"))] + [(m, m) for m in months]
            )
        # A 시군구 includes its 읍면동 here (reviews are placed at attractions, mostly in Chuncheon's 읍면동).
        self.fields["area"].choices = [("", _("All areas"))] + area_choices()

    def filters(self):
        """The chosen month and the one before it: rising terms compare the two."""
        month = self.value("month")
        start = end = None
        if month:
            year, number = (int(p) for p in month.split("-"))
            first = dt.date(year, number, 1)
            start = (first - dt.timedelta(days=1)).replace(day=1)
            end = dt.date(year + number // 12, number % 12 + 1, 1) - dt.timedelta(days=1)
        code = self.value("area")
        return Filters(start=start, end=end, areas=(code,) if code else ())
