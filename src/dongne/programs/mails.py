"""E-mails to registrants. The confirmation carries the program's sessions as an .ics attachment."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import calendars, selectors
from .models import Registration

SUBJECTS = {
    "confirmed": _("[Dongne] Your registration is confirmed: %(title)s"),
    "pending": _("[Dongne] Registration received, awaiting approval: %(title)s"),
    "waitlisted": _("[Dongne] You are on the waiting list: %(title)s"),
    "offered": _("[Dongne] A place is free — confirm it in time: %(title)s"),
    "expired": _("[Dongne] Your offer expired and the place passed on: %(title)s"),
    "rejected": _("[Dongne] Your registration was not approved: %(title)s"),
    "program_cancelled": _("[Dongne] The program was cancelled: %(title)s"),
}


def send_registration_mail(registration_id, kind):
    registration = Registration.objects.select_related("program", "user").filter(pk=registration_id).first()
    if registration is None or kind not in SUBJECTS or not registration.user.email:
        return False
    program = registration.program
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "registration": registration,
            "program": program,
            "sessions": list(program.sessions.all()),
            "kind": kind,
            "position": selectors.waitlist_position(registration),
            "program_url": settings.SITE_URL + reverse("programs:program_detail", args=[program.pk]),
            "my_url": settings.SITE_URL + reverse("programs:my_registrations"),
        }
        body = render_to_string("programs/email/registration.txt", context)
        subject = str(SUBJECTS[kind]) % {"title": program.title}
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[registration.user.email],
    )
    if kind == "confirmed":
        ics = calendars.calendar_bytes(program.title, selectors.sessions_for_calendar([program]))
        message.attach(f"program-{program.pk}.ics", ics, "text/calendar; charset=utf-8; method=PUBLISH")
    message.send()
    return True
