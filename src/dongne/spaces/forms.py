import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from dongne.core import uploads

from .choices import UnitType


def _time_choices(facility):
    choices = []
    t = dt.datetime.combine(dt.date.today(), facility.opens_at)
    close = dt.datetime.combine(dt.date.today(), facility.closes_at)
    while t < close:
        choices.append((t.strftime("%H:%M"), t.strftime("%H:%M")))
        t += dt.timedelta(minutes=30)
    return choices


class BookingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.ChoiceField(label=_("Start time"))
    duration = forms.ChoiceField(label=_("Length"))
    title = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    organisation = forms.ChoiceField(label=_("Book for"), required=False)
    weeks = forms.IntegerField(
        label=_("Repeat weekly (weeks)"),
        min_value=1,
        max_value=52,
        initial=1,
        help_text=_("1 books once; more books the same slot every week, all or nothing."),
    )

    def __init__(self, *args, facility, organisations=(), staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].choices = _time_choices(facility)
        self.fields["duration"].choices = [
            (m, _("%(minutes)s minutes") % {"minutes": m}) for m in range(30, facility.max_minutes + 1, 30)
        ]
        orgs = [(str(o.pk), o.name) for o in organisations]
        if staff:
            orgs = [("", _("Secretariat"))] + orgs
        self.fields["organisation"].choices = orgs
        if len(orgs) <= 1:
            self.fields["organisation"].widget = forms.HiddenInput()


class ApplicationForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Company"))
    unit_type = forms.ChoiceField(label=_("Unit type"), choices=UnitType.choices)
    desks_needed = forms.IntegerField(label=_("Desks needed"), min_value=1)
    desired_start = forms.CharField(label=_("Desired move-in"), help_text=_("e.g. 2025.03.01"))
    term_years = forms.IntegerField(label=_("Term (years)"), min_value=1, max_value=10, initial=3)
    business_plan = forms.CharField(label=_("Business plan"), widget=forms.Textarea(attrs={"rows": 5}))
    document = forms.FileField(
        label=_("Document (business plan, registration)"),
        required=False,
        validators=[uploads.validator("document")],
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.pk), o.name) for o in organisations]
