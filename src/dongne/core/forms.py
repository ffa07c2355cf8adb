from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        required=False,
        help_text=_("Required for member representatives and partner contacts."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from dongne.network.models import Organisation

        self.fields["organisation"].queryset = Organisation.objects.order_by("name")


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("What will use it, e.g. 'data sync script'.")
    )


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False)
    target_type = forms.CharField(label=_("Target type"), required=False)
