"""Meetings, minutes and polls are the cooperative's internal business: a partner institution's contact (signed
in, not a member) is refused them and sent on to the published reports, like a visitor."""

import pytest
from django.urls import reverse

from dongne.core.permissions import can

pytestmark = pytest.mark.django_db


def test_partner_is_refused_meetings_polls_and_officers(client, partner_user):
    client.force_login(partner_user)
    for name in ("governance:meetings", "governance:polls", "governance:officers"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get("/api/v1/governance/meetings").status_code == 403
    assert client.get("/api/v1/governance/polls").status_code == 403


def test_partner_lands_on_the_public_reports(client, partner_user):
    client.force_login(partner_user)
    response = client.get(reverse("governance:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:reports")


def test_members_and_officers_still_see_meetings(client, rep, chair, auditor):
    for user in (rep, chair, auditor):
        assert can(user, "governance.view_meeting") and can(user, "governance.view_poll")
        client.force_login(user)
        assert client.get(reverse("governance:meetings")).status_code == 200
