import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from dongne.core import uploads

from .choices import Audience, FacilityKind, UnitType


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


# --- complex setup (secretariat) -------------------------------------------------------------------
WEEKDAYS = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]


class BuildingForm(forms.Form):
    name = forms.CharField(label=_("Building name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FloorForm(forms.Form):
    building = forms.ChoiceField(label=_("Building"))
    number = forms.IntegerField(
        label=_("Floor number"),
        min_value=-20,
        max_value=200,
        help_text=_("Negative for basement floors."),
    )
    name = forms.CharField(label=_("Floor name"), max_length=100, required=False)

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [(str(b.pk), b.name) for b in buildings]


class UnitForm(forms.Form):
    floor = forms.ChoiceField(label=_("Floor"))
    code = forms.CharField(label=_("Unit number"), max_length=20)
    unit_type = forms.ChoiceField(label=_("Unit type"), choices=UnitType.choices)
    area_m2 = forms.DecimalField(label=_("Area (㎡)"), max_digits=8, decimal_places=2)
    desks = forms.IntegerField(label=_("Desks"), min_value=0, max_value=1000)
    monthly_rent = forms.IntegerField(label=_("Monthly rent (KRW)"), min_value=0, max_value=2_000_000_000)
    maintenance_fee = forms.IntegerField(
        label=_("Monthly maintenance fee (KRW)"), min_value=0, max_value=2_000_000_000, initial=0
    )
    amenities = forms.CharField(
        label=_("Amenities"), max_length=500, required=False, help_text=_("Separated by commas.")
    )
    plan_row = forms.IntegerField(label=_("Row on the floor plan"), min_value=1, max_value=100, initial=1)
    plan_col = forms.IntegerField(label=_("Column on the floor plan"), min_value=1, max_value=100, initial=1)

    def __init__(self, *args, floors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["floor"].choices = [(str(f.pk), str(f)) for f in floors]


class UnitEditForm(forms.Form):
    """A unit's number, type, size and price (its floor, status and place on the plan are not edited here)."""

    code = forms.CharField(label=_("Unit number"), max_length=20)
    unit_type = forms.ChoiceField(label=_("Unit type"), choices=UnitType.choices)
    area_m2 = forms.DecimalField(label=_("Area (㎡)"), max_digits=8, decimal_places=2)
    desks = forms.IntegerField(label=_("Desks"), min_value=0, max_value=1000)
    monthly_rent = forms.IntegerField(
        label=_("Monthly rent (KRW)"),
        min_value=0,
        max_value=2_000_000_000,
        help_text=_("For leases signed from now on; signed leases keep their rent and charges."),
    )
    maintenance_fee = forms.IntegerField(
        label=_("Monthly maintenance fee (KRW)"), min_value=0, max_value=2_000_000_000
    )
    amenities = forms.CharField(
        label=_("Amenities"), max_length=500, required=False, help_text=_("Separated by commas.")
    )


class FacilityRulesForm(forms.Form):
    """A facility's description and booking rules (hours, weekdays, longest booking, who may book)."""

    name = forms.CharField(label=_("Facility name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices)
    capacity = forms.IntegerField(label=_("Capacity (people)"), min_value=1, max_value=10000, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    opens_at = forms.TimeField(
        label=_("Bookable from"),
        initial="09:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    closes_at = forms.TimeField(
        label=_("Bookable until"),
        initial="18:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Bookable weekdays"),
        choices=WEEKDAYS,
        initial=["0", "1", "2", "3", "4"],
        widget=forms.CheckboxSelectMultiple,
    )
    max_minutes = forms.IntegerField(
        label=_("Longest booking (minutes)"),
        min_value=30,
        max_value=24 * 60,
        initial=240,
        help_text=_("A multiple of 30 minutes."),
    )
    audience = forms.ChoiceField(label=_("Who may book"), choices=Audience.choices, initial=Audience.BOTH)
    is_active = forms.BooleanField(label=_("Bookable"), required=False, initial=True)

    def service_data(self):
        data = dict(self.cleaned_data)
        data["weekdays"] = "".join(data["weekdays"])
        data.pop("building", None)
        return data


class FacilityForm(FacilityRulesForm):
    building = forms.ChoiceField(label=_("Building"))

    field_order = ["building"]

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [(str(b.pk), b.name) for b in buildings]
