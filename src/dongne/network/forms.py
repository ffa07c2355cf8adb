from django import forms
from django.utils.translation import gettext_lazy as _

from dongne.core import uploads
from dongne.core.regions import emd_choices, sigungu_choices

from .choices import MembershipStatus, MemberType, OrganisationKind


class OrganisationForm(forms.Form):
    """Profile fields; the service validates registration numbers, dates and regions."""

    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    name = forms.CharField(label=_("Name (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    business_number = forms.CharField(
        label=_("Business registration number"),
        max_length=20,
        required=False,
        help_text=_("10 digits, e.g. 123-45-67890"),
    )
    corporate_number = forms.CharField(
        label=_("Corporate registration number"),
        max_length=20,
        required=False,
        help_text=_("13 digits, e.g. 110111-1234567"),
    )
    representative = forms.CharField(label=_("Representative"), max_length=100, required=False)
    founded_on = forms.CharField(label=_("Founded on"), required=False, help_text=_("e.g. 2018.01.15"))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    sigungu_code = forms.ChoiceField(label=_("City/county"), required=False, choices=sigungu_choices)
    emd_code = forms.ChoiceField(label=_("Town/district"), required=False, choices=emd_choices)
    employees = forms.IntegerField(label=_("Employees"), required=False, min_value=0)
    industry_tags = forms.CharField(
        label=_("Industries"), required=False, help_text=_("Separate with commas")
    )
    capability_tags = forms.CharField(
        label=_("Capabilities"), required=False, help_text=_("Separate with commas")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    products_services = forms.CharField(
        label=_("Products and services"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    homepage = forms.URLField(label=_("Homepage"), required=False, assume_scheme="https")
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_public = forms.BooleanField(label=_("Show in the public directory"), required=False, initial=True)

    ADMIN_FIELDS = ("kind", "business_number", "corporate_number", "is_public")

    def __init__(self, *args, admin=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not admin:
            for field in self.ADMIN_FIELDS:
                del self.fields[field]

    @classmethod
    def initial_for(cls, org):
        data = {field: getattr(org, field) for field in cls.base_fields if hasattr(org, field)}
        data["industry_tags"] = ", ".join(t.name for t in org.industry_tags.all())
        data["capability_tags"] = ", ".join(t.name for t in org.capability_tags.all())
        data["founded_on"] = org.founded_on.isoformat() if org.founded_on else ""
        return data


class ApplyForm(forms.Form):
    member_type = forms.ChoiceField(label=_("Member type"), choices=MemberType.choices)
    applied_on = forms.CharField(label=_("Applied on"), required=False, help_text=_("Empty for today"))


class DecisionForm(forms.Form):
    decision_ref = forms.CharField(
        label=_("Decision reference"), max_length=200, help_text=_("e.g. 2024년 제3차 이사회 제2호 의안")
    )
    on = forms.CharField(label=_("Date"), required=False, help_text=_("Empty for today"))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DateReasonForm(forms.Form):
    on = forms.CharField(label=_("Date"), required=False, help_text=_("Empty for today"))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + list(OrganisationKind.choices)
    )
    sigungu = forms.ChoiceField(label=_("City/county"), required=False, choices=sigungu_choices)
    tag = forms.CharField(label=_("Tag"), required=False)
    status = forms.ChoiceField(
        label=_("Membership"),
        required=False,
        choices=[("", _("All")), ("none", _("Not a member"))] + list(MembershipStatus.choices),
    )


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    is_representative = forms.BooleanField(label=_("Representative"), required=False)


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Product or service name"), max_length=200)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_public = forms.BooleanField(label=_("Public"), required=False, initial=True)


class MouForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    signed_on = forms.CharField(label=_("Signed on"), help_text=_("e.g. 2020.11.23"))
    starts_on = forms.CharField(label=_("Starts on"), required=False)
    expires_on = forms.CharField(label=_("Expires on"), required=False, help_text=_("Empty for no end date"))
    scope = forms.CharField(label=_("Scope"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_public = forms.BooleanField(label=_("Public"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Organisation

        self.fields["partner"].queryset = Organisation.objects.order_by("name")


class MouActivityForm(forms.Form):
    on = forms.CharField(label=_("Date"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MouDocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"), validators=[uploads.validator("document")])


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        validators=[uploads.validator("table")],
        help_text=_("UTF-8, UTF-8 with BOM and CP949/EUC-KR are detected automatically."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run (check only, import nothing)"), required=False, initial=True
    )
