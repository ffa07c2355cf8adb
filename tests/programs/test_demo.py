"""The programs demo: past and upcoming programs with registrations, attendance and certificates;
knowledge articles; the exhibition. Made through the services, once."""

import pytest
from django.utils import timezone

from dongne.core.models import User
from dongne.network.demo import SECRETARIAT_EMAIL, load_demo
from dongne.programs.demo import load_programs_demo
from dongne.programs.models import Article, Certificate, Exhibit, Feedback, Program, Registration


@pytest.mark.django_db
def test_programs_demo():
    load_demo()
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    lines = load_programs_demo(secretariat)
    assert lines and "수료증" in lines[0]
    now = timezone.now()
    past = [p for p in Program.objects.all() if p.sessions.order_by("-ends_at").first().ends_at < now]
    upcoming = [p for p in Program.objects.all() if p.sessions.first().starts_at > now]
    assert len(past) >= 2 and len(upcoming) >= 2
    assert Certificate.objects.count() > 5 and Feedback.objects.exists()
    assert Registration.objects.filter(status="waitlisted").exists()
    assert Registration.objects.filter(status="offered").exists()
    for program in Program.objects.all():
        held = program.registrations.filter(status__in=["pending", "confirmed", "offered"]).count()
        assert program.seats_taken == held
    assert Article.objects.filter(visibility="public").exists() and Article.objects.filter(version=2).exists()
    assert Exhibit.objects.count() >= 4
    assert load_programs_demo(secretariat) == []
