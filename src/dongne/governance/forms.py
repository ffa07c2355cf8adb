from django import forms
from django.utils.translation import gettext_lazy as _

from dongne.network.models import Organisation

from .choices import BallotType, ItemKind, MeetingKind, OfficerRole, PollKind, ProxyKind, SpecialMatter

ITEM_ROWS = 5


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def member_choices(qs=None):
    qs = qs if qs is not None else Organisation.objects.filter(membership__isnull=False)
    return [("", "—")] + [(o.pk, o.name) for o in qs.order_by("name")]


class CooperativeForm(forms.Form):
    name = forms.CharField(label=_("Name of the cooperative"), max_length=200)
    share_price = forms.IntegerField(
        label=_("Price of one share (KRW)"),
        min_value=1,
        help_text=_("One uniform price for every share (협동조합 기본법 제16조②)."),
    )
    fiscal_year_start_month = forms.IntegerField(
        label=_("Fiscal year starts in month"), min_value=1, max_value=12
    )


class SubscribeForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Member"), coerce=int)
    shares = forms.IntegerField(label=_("Shares"), min_value=1)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = member_choices()


class PaymentForm(SubscribeForm):
    shares = None
    amount = forms.IntegerField(label=_("Amount (KRW)"), min_value=1)
    field_order = ["organisation", "amount", "on", "note"]


class TransferForm(forms.Form):
    from_organisation = forms.TypedChoiceField(label=_("From member"), coerce=int)
    to_organisation = forms.TypedChoiceField(label=_("To member"), coerce=int)
    shares = forms.IntegerField(label=_("Shares"), min_value=1)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Board approval / note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_organisation"].choices = member_choices()
        self.fields["to_organisation"].choices = member_choices()


class RefundForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Former member"), coerce=int)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = member_choices()


class ReverseForm(forms.Form):
    entry = forms.IntegerField(label=_("Entry number"), min_value=1)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Reason for the correction"), max_length=300)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Meeting kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    scheduled_at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    notice_on = forms.DateField(
        label=_("Notice sent on"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Empty: today, and the notice is e-mailed now. A general assembly needs 7 days' notice (제28조⑤)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, ITEM_ROWS + 1):
            self.fields[f"item{n}_title"] = forms.CharField(
                label=_("Agenda item %(n)s") % {"n": n}, required=n == 1, max_length=200
            )
            self.fields[f"item{n}_kind"] = forms.ChoiceField(
                label=_("Kind of item %(n)s") % {"n": n}, choices=ItemKind.choices, required=False
            )
            self.fields[f"item{n}_matter"] = forms.ChoiceField(
                label=_("Special matter of item %(n)s") % {"n": n},
                choices=[("", "—"), *SpecialMatter.choices],
                required=False,
            )
            self.fields[f"item{n}_subject"] = forms.TypedChoiceField(
                label=_("Member concerned by item %(n)s (expulsion)") % {"n": n},
                choices=member_choices(),
                required=False,
                coerce=int,
                empty_value=None,
            )

    def items(self):
        data = self.cleaned_data
        return [
            {
                "title": data.get(f"item{n}_title"),
                "kind": data.get(f"item{n}_kind") or ItemKind.ORDINARY,
                "special_matter": data.get(f"item{n}_matter") or "",
                "subject": data.get(f"item{n}_subject"),
            }
            for n in range(1, ITEM_ROWS + 1)
            if data.get(f"item{n}_title")
        ]


class AttendanceForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Member present"), coerce=int)
    proxy_kind = forms.ChoiceField(
        label=_("Attends by proxy"), choices=[("", _("In person")), *ProxyKind.choices], required=False
    )
    proxy_member = forms.TypedChoiceField(
        label=_("Proxy (member)"), coerce=int, required=False, empty_value=None
    )
    proxy_name = forms.CharField(label=_("Proxy's name (family member)"), required=False, max_length=100)
    authority = forms.CharField(
        label=_("Written authority on file"),
        required=False,
        max_length=200,
        help_text=_("e.g. 위임장 2025-03"),
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = member_choices(members)
        self.fields["proxy_member"].choices = member_choices(members)


class BoardAttendanceForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Director present"), coerce=int)

    def __init__(self, *args, directors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + [(u.pk, u.name) for u in directors]


class ResolutionForm(forms.Form):
    votes_for = forms.IntegerField(label=_("In favour"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, required=False)
    votes_abstain = forms.IntegerField(label=_("Abstaining"), min_value=0, required=False)
    presiding = forms.TypedChoiceField(
        label=_("Chair of the meeting"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, presiding_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presiding"].choices = [("", "—")] + [(u.pk, u.name) for u in presiding_choices]


class ExpulsionNoticeForm(forms.Form):
    notified_on = forms.DateField(label=_("Reason notified on"), widget=DateInput())
    hearing_record = forms.CharField(
        label=_("Record of the hearing"), widget=forms.Textarea(attrs={"rows": 2})
    )


class MinutesForm(forms.Form):
    signers = forms.TypedMultipleChoiceField(
        label=_("Members elected to sign"),
        coerce=int,
        required=False,
        help_text=_("At least 3 members present (제30조)."),
    )

    def __init__(self, *args, signer_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signers"].choices = [(u.pk, label) for u, label in signer_choices]


class PollForm(forms.Form):
    title = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label=_("Poll kind"), choices=PollKind.choices)
    ballot_type = forms.ChoiceField(label=_("Ballot"), choices=BallotType.choices)
    options = forms.CharField(
        label=_("Choices (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    secret = forms.BooleanField(label=_("Secret ballot"), required=False)
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=DateTimeInput())


class OfficerForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Person"), coerce=int)
    role = forms.ChoiceField(label=_("Office"), choices=OfficerRole.choices)
    term_start = forms.DateField(label=_("Term starts"), widget=DateInput())
    term_end = forms.DateField(label=_("Term ends"), widget=DateInput())
    is_staff_member = forms.BooleanField(label=_("Employee of the cooperative"), required=False)
    elected_at = forms.TypedChoiceField(label=_("Elected at"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, users=(), meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + [(u.pk, f"{u.name} ({u.email})") for u in users]
        self.fields["elected_at"].choices = [("", "—")] + [(m.pk, m.title) for m in meetings]


class AnnualReportForm(forms.Form):
    year = forms.IntegerField(label=_("Fiscal year"), min_value=2000)
    total_business = forms.IntegerField(label=_("Total business (KRW)"), min_value=0)
    main_business = forms.IntegerField(label=_("Main business (KRW)"), min_value=0)
    surplus = forms.IntegerField(label=_("Surplus (KRW)"))
    reserve_transfer = forms.IntegerField(
        label=_("Transfer to legal reserve (KRW)"), min_value=0, required=False
    )
    dividends = forms.IntegerField(label=_("Dividends (KRW)"), min_value=0, required=False, initial=0)
    narrative = forms.CharField(
        label=_("Business results"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ImpactForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Member"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=2000)
    employees = forms.IntegerField(label=_("Employees"), min_value=0)
    new_hires = forms.IntegerField(label=_("New hires"), min_value=0)
    new_hires_local_youth = forms.IntegerField(label=_("of which local youth"), min_value=0)
    new_hires_women = forms.IntegerField(label=_("of which women"), min_value=0)
    revenue = forms.IntegerField(label=_("Revenue (KRW)"), min_value=0)
    projects_won = forms.IntegerField(label=_("Projects won"), min_value=0)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = member_choices(organisations)
