"""Journey: the secretariat convenes a board meeting, records who came and the count, drafts the minutes;
the chair signs them in the browser, the directors confirm, and the minutes come out as a PDF."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from dongne.core.choices import Role
from dongne.governance import services
from dongne.governance.models import Meeting, Minutes
from tests.factories import UserFactory


def test_a_board_meeting_from_notice_to_signed_minutes(page, new_page, secretariat, login):
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=200), today + dt.timedelta(days=500)
    chair = UserFactory(role=Role.CHAIR, name="김이사장")
    directors = [UserFactory(role=Role.DIRECTOR, name=n) for n in ("이이사", "박이사")]
    services.appoint_officer(
        actor=secretariat, user_id=chair.pk, role="chair", term_start=start, term_end=end
    )
    for d in directors:
        services.appoint_officer(
            actor=secretariat, user_id=d.pk, role="director", term_start=start, term_end=end
        )

    login(page, secretariat)
    page.goto("/governance/meetings/")
    form = page.locator("#meeting-form")
    form.locator('[name="kind"]').select_option("board")
    form.locator('[name="title"]').fill("2025년 제3차 이사회")
    form.locator('[name="purpose"]').fill("신규 조합원 가입 승인")
    held = timezone.localtime() - dt.timedelta(minutes=30)
    form.locator('[name="scheduled_at"]').fill(held.strftime("%Y-%m-%dT%H:%M"))
    form.locator('[name="place"]').fill("조합 사무국 회의실")
    form.locator('[name="notice_on"]').fill((held.date() - dt.timedelta(days=3)).isoformat())
    form.locator('[name="item1_title"]').fill("봄내데이터랩 가입 승인")
    form.locator('[name="item1_kind"]').select_option("ordinary")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    meeting = Meeting.objects.get(title="2025년 제3차 이사회")
    expect(page).to_have_url(re.compile(rf"/governance/meetings/{meeting.pk}/$"))
    expect(page.locator("#meeting-status")).to_have_class(re.compile(r"\bstatus-noticed\b"))

    for user in (chair, *directors):
        attendance = page.locator("#attendance-form")
        attendance.locator('[name="att-user"]').select_option(str(user.pk))
        with page.expect_navigation():
            attendance.locator("button[type=submit]").click()
    expect(page.locator("#attendance-summary")).to_contain_text("3")

    resolve = page.locator("form.resolve").first
    item = meeting.items.get()
    resolve.locator(f'[name="item{item.pk}-votes_for"]').fill("2")
    resolve.locator(f'[name="item{item.pk}-votes_against"]').fill("1")
    resolve.locator(f'[name="item{item.pk}-presiding"]').select_option(str(chair.pk))
    with page.expect_navigation():
        resolve.locator("button[type=submit]").click()
    expect(page.locator("#item-1 .explanation")).to_contain_text(
        "재적 이사 3명 중 출석 3명, 찬성 2명 = 출석 과반 → 가결"
    )
    expect(page.locator("#item-1 .outcome")).to_have_class(re.compile(r"\boutcome-passed\b"))

    with page.expect_navigation():
        page.locator("#draft-minutes button[type=submit]").click()
    expect(page.locator(".minutes-body")).to_contain_text("봄내데이터랩 가입 승인")
    expect(page.locator("#signers li")).to_have_count(3)
    expect(page.locator("#confirm-minutes")).to_have_count(0)  # the secretariat does not sign

    chair_page = new_page()
    login(chair_page, chair)
    chair_page.goto(f"/governance/meetings/{meeting.pk}/")
    with chair_page.expect_navigation():
        chair_page.locator("#confirm-minutes button[type=submit]").click()
    expect(chair_page.locator(".messages .message.success")).to_be_visible()
    expect(chair_page.locator("#confirm-minutes")).to_have_count(0)

    minutes = Minutes.objects.get(meeting=meeting)
    for d in directors:
        services.confirm_minutes(actor=d, minutes_id=minutes.pk)
    page.reload()
    expect(page.locator(".minutes .final")).to_be_visible()
    pdf = page.request.get(f"/governance/meetings/{meeting.pk}/minutes.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
