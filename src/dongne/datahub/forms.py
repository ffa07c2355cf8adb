from django import forms
from django.utils.translation import gettext_lazy as _

from dongne.core import uploads
from dongne.core.regions import sigungu_choices

from .choices import Frequency, Licence, Visibility
from .models import Theme


class DatasetForm(forms.Form):
    slug = forms.SlugField(
        label=_("Identifier"),
        max_length=80,
        help_text=_("Lower-case letters, digits and hyphens, e.g. chuncheon-visitors"),
    )
    title = forms.CharField(label=_("Title (Korean)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description (Korean)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    publisher = forms.ModelChoiceField(label=_("Publisher"), queryset=None, required=False)
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )
    keywords = forms.CharField(label=_("Keywords"), required=False, help_text=_("Separate with commas"))
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices, initial=Licence.KOGL1)
    spatial = forms.MultipleChoiceField(label=_("Spatial coverage"), required=False, choices=sigungu_choices)
    temporal_start = forms.CharField(label=_("Covers from"), required=False, help_text=_("e.g. 2024.01.01"))
    temporal_end = forms.CharField(label=_("Covers until"), required=False)
    frequency = forms.ChoiceField(
        label=_("Update frequency"), choices=Frequency.choices, initial=Frequency.IRREGULAR
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=100, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )

    def __init__(self, *args, publishers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publisher"].queryset = publishers
        self.fields["spatial"].choices = [c for c in sigungu_choices() if c[0]]

    def service_data(self):
        data = dict(self.cleaned_data)
        data["themes"] = [t.code for t in data["themes"]]
        return data

    @classmethod
    def initial_for(cls, dataset):
        data = {f: getattr(dataset, f) for f in cls.base_fields if hasattr(dataset, f) and f != "themes"}
        data["themes"] = list(dataset.themes.all())
        data["keywords"] = ", ".join(dataset.keywords)
        data["temporal_start"] = dataset.temporal_start.isoformat() if dataset.temporal_start else ""
        data["temporal_end"] = dataset.temporal_end.isoformat() if dataset.temporal_end else ""
        return data


class UploadForm(forms.Form):
    # A 0-byte file goes on to start_ingest, whose empty_file error says what is wrong with it.
    file = forms.FileField(
        label=_("Data file"),
        help_text=_("CSV/TSV (UTF-8 or CP949), XLSX, JSON, JSON Lines or Parquet"),
        allow_empty_file=True,
        validators=[uploads.validator("data", allow_empty=True)],
    )
    note = forms.CharField(label=_("Change note"), required=False, max_length=500)


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    theme = forms.CharField(required=False, widget=forms.HiddenInput)
    publisher = forms.CharField(required=False, widget=forms.HiddenInput)
    licence = forms.CharField(required=False, widget=forms.HiddenInput)
    format = forms.CharField(required=False, widget=forms.HiddenInput)
    region = forms.ChoiceField(label=_("Region"), required=False, choices=sigungu_choices)
