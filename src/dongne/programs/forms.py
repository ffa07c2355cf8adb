from django import forms
from django.utils.translation import gettext_lazy as _

from dongne.core import uploads
from dongne.network.models import Organisation, Product

from .choices import ProgramKind, Visibility

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProgramForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgramKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    audience = forms.CharField(label=_("Target audience"), max_length=300, required=False)
    organiser = forms.ModelChoiceField(
        label=_("Organiser"), queryset=Organisation.objects.all(), required=False
    )
    co_hosts = forms.ModelMultipleChoiceField(
        label=_("Co-hosts (partner institutions)"), queryset=Organisation.objects.all(), required=False
    )
    staff = forms.CharField(
        label=_("Program staff"),
        required=False,
        help_text=_(
            "E-mail addresses of the accounts that run the program and check people in, separated by commas."
        ),
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)
    registration_opens_at = forms.DateTimeField(
        label=_("Registration opens"), required=False, widget=DATETIME
    )
    registration_closes_at = forms.DateTimeField(
        label=_("Registration closes"), required=False, widget=DATETIME
    )
    requires_approval = forms.BooleanField(label=_("Organiser approves each registration"), required=False)
    completion_threshold = forms.IntegerField(
        label=_("Attendance needed for a certificate (%)"), min_value=1, max_value=100, initial=80
    )

    @classmethod
    def initial_for(cls, program):
        data = {field: getattr(program, field) for field in cls.base_fields if hasattr(program, field)}
        data["co_hosts"] = list(program.co_hosts.all())
        data["staff"] = ", ".join(program.staff.values_list("email", flat=True))
        return data


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Session title"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    speakers = forms.CharField(label=_("Speakers"), max_length=300, required=False)


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=300)
    required = forms.BooleanField(label=_("Required"), required=False)


class RegistrationForm(forms.Form):
    """One field per registration question of the program."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"question_{question.pk}"] = forms.CharField(
                label=question.text, required=question.required, max_length=2000
            )

    def answers(self):
        return {
            name.removeprefix("question_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("question_")
        }


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("The eight characters under the participant's QR code."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "autofocus": True}
        ),
    )


class FeedbackForm(forms.Form):
    SCALE = [(n, str(n)) for n in range(5, 0, -1)]
    rating = forms.TypedChoiceField(label=_("Overall, how was the program?"), choices=SCALE, coerce=int)
    usefulness = forms.TypedChoiceField(label=_("How useful is it for your work?"), choices=SCALE, coerce=int)
    comment = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"), max_length=40, help_text=_("e.g. ABCD-EFGH-JKMN-PQRS")
    )


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate with commas"))
    visibility = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices)
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Publish as your organisation's note (optional)."),
    )
    attachment = forms.FileField(
        label=_("Attachment"), required=False, validators=[uploads.validator("document")]
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations
        if not self.fields["organisation"].queryset.exists():
            del self.fields["organisation"]


class ExhibitForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product or service"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_("One of the products on the organisation's profile (optional)."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.CharField(label=_("Category"), max_length=100)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    homepage = forms.URLField(label=_("Homepage"), required=False, assume_scheme="https")
    image = forms.ImageField(label=_("Image"), required=False, validators=[uploads.validator("image")])

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            self.fields["product"].queryset = organisation.products.all()


class InquiryForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(label=_("Your e-mail"))
    message = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 5}))
    # Honeypot: hidden from people by CSS, filled in by bots.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    stamp = forms.CharField(widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))
