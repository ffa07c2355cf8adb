from django import forms
from django.utils.translation import gettext_lazy as _

from dongne.core import uploads

from .choices import InsightsPage, OpportunityKind


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Opportunity type"),
        required=False,
        choices=[("", _("All kinds"))] + list(OpportunityKind.choices),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open")), ("closed", _("Closed")), ("all", _("All"))],
    )
    field = forms.ChoiceField(label=_("Support field"), required=False)
    region = forms.CharField(label=_("Region"), required=False, help_text=_("e.g. 강원 or 춘천시"))

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("All fields"))] + [(f, f) for f in fields]


class OpportunityForm(forms.Form):
    """Opportunity fields; the service validates dates, amounts, regions and limits."""

    kind = forms.ChoiceField(label=_("Opportunity type"), choices=OpportunityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(label=_("Body"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    organisation = forms.ChoiceField(label=_("Posted for"), required=False)
    organiser = forms.CharField(
        label=_("Organiser"), max_length=200, required=False, help_text=_("e.g. 창업진흥원")
    )
    ministry = forms.CharField(
        label=_("Supervising ministry"), max_length=200, required=False, help_text=_("e.g. 중소벤처기업부")
    )
    starts_on = forms.CharField(label=_("Starts on"), required=False, help_text=_("e.g. 2025.03.01"))
    deadline = forms.CharField(
        label=_("Deadline"), required=False, help_text=_("e.g. 2025.03.31, or 상시 for open all year")
    )
    period_note = forms.CharField(label=_("Period as announced"), max_length=200, required=False)
    budget = forms.CharField(label=_("Budget"), required=False, help_text=_("e.g. 5천만원 or 50,000,000"))
    support_field = forms.CharField(
        label=_("Support field"), max_length=100, required=False, help_text=_("e.g. 기술, 판로, 창업")
    )
    regions = forms.CharField(
        label=_("Eligible regions"),
        required=False,
        help_text=_("Separate with commas; empty or 전국 for nationwide"),
    )
    min_company_age = forms.IntegerField(label=_("Minimum company age (years)"), required=False, min_value=0)
    max_company_age = forms.IntegerField(label=_("Maximum company age (years)"), required=False, min_value=0)
    min_employees = forms.IntegerField(label=_("Minimum employees"), required=False, min_value=0)
    max_employees = forms.IntegerField(label=_("Maximum employees"), required=False, min_value=0)
    industries = forms.CharField(label=_("Industries"), required=False, help_text=_("Separate with commas"))
    capabilities = forms.CharField(
        label=_("Required capabilities"), required=False, help_text=_("Separate with commas")
    )
    eligibility_note = forms.CharField(
        label=_("Eligibility as announced"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    source_url = forms.URLField(label=_("Source link"), required=False, assume_scheme="https")
    is_public = forms.BooleanField(label=_("Public"), required=False, initial=True)

    def __init__(self, *args, kinds=None, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(k, label) for k, label in OpportunityKind.choices if k in kinds]
        self.fields["organisation"].choices = [("", "—")] + [(o.pk, o.name) for o in organisations]

    @staticmethod
    def initial_for(opp):
        data = {
            f: getattr(opp, f)
            for f in (
                "kind",
                "title",
                "body",
                "organiser",
                "ministry",
                "period_note",
                "support_field",
                "min_company_age",
                "max_company_age",
                "min_employees",
                "max_employees",
                "eligibility_note",
                "source_url",
                "is_public",
            )
        }
        data["organisation"] = opp.organisation_id or ""
        data["starts_on"] = opp.starts_on.isoformat() if opp.starts_on else ""
        data["deadline"] = "상시" if opp.is_rolling else (opp.deadline.isoformat() if opp.deadline else "")
        data["budget"] = f"{opp.budget:,}" if opp.budget else ""
        data["regions"] = ", ".join(opp.regions or [])
        data["industries"] = ", ".join(t.name for t in opp.industries.all())
        data["capabilities"] = ", ".join(t.name for t in opp.capabilities.all())
        return data


class ConsortiumForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    lead = forms.IntegerField(widget=forms.HiddenInput)
    participants = forms.CharField(widget=forms.HiddenInput, required=False)


class MemberAddForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    file = forms.FileField(label=_("File"), required=False, validators=[uploads.validator("document")])


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), validators=[uploads.validator("document")])


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    due_on = forms.CharField(label=_("Due on"), help_text=_("e.g. 2025.06.30"))


class TransitionForm(forms.Form):
    on = forms.CharField(label=_("Date"), required=False, help_text=_("Empty for today"))
    funding_won = forms.CharField(label=_("Funding won"), required=False, help_text=_("e.g. 1억 2천만원"))
    jobs_created = forms.IntegerField(label=_("Jobs created"), required=False, min_value=0)


class NotificationForm(forms.Form):
    digest = forms.BooleanField(
        label=_("Weekly e-mail of new opportunities that match my organisation"), required=False
    )
    reminders = forms.BooleanField(
        label=_("E-mail reminders 7 days and 1 day before a matching deadline"), required=False
    )


class CanvasForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    opportunity = forms.ChoiceField(label=_("Opportunity"), required=False)
    value_propositions = forms.CharField(
        label=_("Value propositions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    customer_segments = forms.CharField(
        label=_("Customer segments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    channels = forms.CharField(label=_("Channels"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    customer_relationships = forms.CharField(
        label=_("Customer relationships"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    revenue_streams = forms.CharField(
        label=_("Revenue streams"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    key_resources = forms.CharField(
        label=_("Key resources"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    key_activities = forms.CharField(
        label=_("Key activities"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    key_partners = forms.CharField(
        label=_("Key partners"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cost_structure = forms.CharField(
        label=_("Cost structure"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    datasets = forms.MultipleChoiceField(
        label=_("Datasets"), required=False, widget=forms.CheckboxSelectMultiple
    )
    insights_pages = forms.MultipleChoiceField(
        label=_("Insights pages"),
        required=False,
        choices=InsightsPage.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, opportunities=(), datasets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].choices = [("", "—")] + [(o.pk, o.title) for o in opportunities]
        self.fields["datasets"].choices = [(d.pk, d.title) for d in datasets]
