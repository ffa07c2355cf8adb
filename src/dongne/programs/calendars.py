"""iCalendar (RFC 5545) output: one VEVENT per session, for e-mail attachments and feeds."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event


def _calendar(name):
    cal = Calendar()
    cal.add("prodid", "-//Dongne//programs//KO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def session_event(session, *, stamp=None):
    program = session.program
    event = Event()
    event.add("uid", f"programs-session-{session.pk}@dongne")
    event.add("dtstamp", stamp or timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    summary = program.title if not session.title else f"{program.title} · {session.title}"
    event.add("summary", summary)
    location = session.place or session.online_url
    if location:
        event.add("location", location)
    url = settings.SITE_URL + reverse("programs:program_detail", args=[program.pk])
    event.add("url", url)
    description = [program.summary, session.speakers, session.online_url, url]
    event.add("description", "\n".join(part for part in description if part))
    if program.status == "cancelled":
        event.add("status", "CANCELLED")
    return event


def calendar_bytes(name, sessions):
    """The VCALENDAR of ``sessions`` (each with its program selected) as bytes."""
    cal = _calendar(name)
    stamp = timezone.now()
    for session in sessions:
        cal.add_component(session_event(session, stamp=stamp))
    return cal.to_ical()
