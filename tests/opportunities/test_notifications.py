"""Personal digest of new matches and D-7 / D-1 deadline reminders by e-mail, with per-user opt-out."""

import datetime as dt

import pytest
from django.core import mail

from dongne.core.errors import NotAuthenticated
from dongne.opportunities import services
from dongne.opportunities.models import Notice, NotificationSetting
from tests.factories import make_representative

from .factories import make_opportunity

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 3, 10)


@pytest.fixture
def rep(tourism_member):
    return make_representative(tourism_member)


def test_digest_names_new_matches_once(secretariat, rep):
    opp = make_opportunity(secretariat, title="관광객 빅데이터 분석 지원", deadline="상시", regions="강원")
    make_opportunity(secretariat, title="서울 관광 빅데이터", deadline="상시", regions="서울")  # not eligible
    assert services.send_match_digests(today=TODAY) == 1
    message = mail.outbox[0]
    assert message.to == [rep.email] and "봄내데이터랩" in message.subject
    assert opp.title in message.body and "서울 관광 빅데이터" not in message.body
    assert "빅데이터" in message.body  # matched terms are part of the e-mail
    assert f"/opportunities/{opp.pk}/" in message.body and "/opportunities/notifications/" in message.body
    # Nothing new: no second e-mail.
    assert services.send_match_digests(today=TODAY) == 0 and len(mail.outbox) == 1


def test_reminders_at_d7_and_d1_only_once(secretariat, rep):
    d7 = make_opportunity(secretariat, title="관광 빅데이터 D-7", deadline=TODAY + dt.timedelta(days=7))
    d1 = make_opportunity(secretariat, title="관광 빅데이터 D-1", deadline=TODAY + dt.timedelta(days=1))
    make_opportunity(secretariat, title="관광 빅데이터 D-3", deadline=TODAY + dt.timedelta(days=3))
    assert services.send_deadline_reminders(today=TODAY) == 2
    subjects = sorted(m.subject for m in mail.outbox)
    assert any("D-7" in s and d7.title in s for s in subjects) and any(
        "D-1" in s and d1.title in s for s in subjects
    )
    assert services.send_deadline_reminders(today=TODAY) == 0
    assert set(Notice.objects.values_list("kind", flat=True)) == {"d7", "d1"}


def test_opting_out_stops_each_kind(client, secretariat, rep):
    make_opportunity(secretariat, title="관광 빅데이터 D-1", deadline=TODAY + dt.timedelta(days=1))
    client.force_login(rep)
    response = client.post("/opportunities/notifications/", {"digest": "on"})
    assert response.status_code == 302
    setting = NotificationSetting.objects.get(user=rep)
    assert setting.digest and not setting.reminders
    assert services.send_deadline_reminders(today=TODAY) == 0
    assert services.send_match_digests(today=TODAY) == 1


def test_settings_are_personal(anonymous):
    with pytest.raises(NotAuthenticated):
        services.update_notification_settings(actor=anonymous, digest=False, reminders=False)


def test_the_daily_job_sends_reminders(secretariat, rep):
    from django.utils import timezone

    from dongne.opportunities.tasks import send_notifications

    make_opportunity(
        secretariat, title="관광 빅데이터 마감 임박", deadline=timezone.localdate() + dt.timedelta(days=1)
    )
    send_notifications.call_local()
    assert any("D-1" in m.subject for m in mail.outbox)
