"""E-mails to registrants. The confirmation carries the program's sessions as an .ics attachment."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import calendars, selectors
from .models import Registration

SUBJECTS = {
    "confirmed": "[동네] 신청이 확정되었습니다: %(title)s",
    "pending": "[동네] 신청이 접수되어 승인을 기다립니다: %(title)s",
    "waitlisted": "[동네] 대기자 명단에 등록되었습니다: %(title)s",
    "offered": "[동네] 자리가 생겼습니다 — 기한 안에 확정해 주세요: %(title)s",
    "expired": "[동네] 확정 기한이 지나 자리가 다음 대기자에게 넘어갔습니다: %(title)s",
    "rejected": "[동네] 신청이 승인되지 않았습니다: %(title)s",
}


def send_registration_mail(registration_id, kind):
    registration = Registration.objects.select_related("program", "user").filter(pk=registration_id).first()
    if registration is None or kind not in SUBJECTS or not registration.user.email:
        return False
    program = registration.program
    with translation.override("ko"):
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
    message = EmailMessage(
        subject=SUBJECTS[kind] % {"title": program.title},
        body=body,
        to=[registration.user.email],
    )
    if kind == "confirmed":
        ics = calendars.calendar_bytes(program.title, selectors.sessions_for_calendar([program]))
        message.attach(f"program-{program.pk}.ics", ics, "text/calendar; charset=utf-8; method=PUBLISH")
    message.send()
    return True
