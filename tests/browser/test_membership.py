"""Journey: the secretariat approves a membership application, then activates the member."""

import re

from playwright.sync_api import expect

from dongne.network import services
from dongne.network.choices import MembershipStatus
from dongne.network.models import Membership
from tests.factories import make_organisation

# Problems a keyboard or screen-reader user would meet: an id used twice (a label then focuses
# another form's field), a label pointing at a field of another form, or help text that
# aria-describedby points at but which does not exist.
FORM_PROBLEMS = """() => {
  const problems = [];
  const seen = {};
  for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
  for (const id in seen) if (seen[id] > 1) problems.push(`id ${id} is used ${seen[id]} times`);
  for (const label of document.querySelectorAll('form label[for]')) {
    const target = document.getElementById(label.htmlFor);
    if (!target || target.form !== label.closest('form')) problems.push(`label for ${label.htmlFor} misses its field`);
  }
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of el.getAttribute('aria-describedby').split(/\\s+/)) {
      if (!document.getElementById(id)) problems.push(`${el.id} is described by missing ${id}`);
    }
  }
  return problems;
}"""


def test_secretariat_approves_an_application_and_activates_the_member(page, secretariat, login):
    org = make_organisation(secretariat, name="봄내데이터랩", description="관광 데이터 분석")
    membership = services.apply_membership(actor=secretariat, organisation_id=org.pk, member_type="producer")

    login(page, secretariat)
    page.goto(f"/network/organisations/{org.pk}/")
    badge = page.locator(".membership h2 .badge")
    expect(badge).to_have_class(re.compile(r"\bstatus-applied\b"))

    approve = page.locator('form[action$="/approve/"]')
    approve.locator('[name="decision_ref"]').fill("2024년 제3차 이사회 제2호 의안")
    with page.expect_navigation():
        approve.locator("button[type=submit]").click()

    expect(page.locator(".messages .message.success")).to_be_visible()
    expect(badge).to_have_class(re.compile(r"\bstatus-approved\b"))
    expect(page.locator(".membership")).to_contain_text("2024년 제3차 이사회 제2호 의안")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPROVED
    assert membership.decision_ref == "2024년 제3차 이사회 제2호 의안"
    # The decision forms are gone: an approved application cannot be approved or rejected again.
    expect(page.locator('form[action$="/approve/"], form[action$="/reject/"]')).to_have_count(0)

    with page.expect_navigation():
        page.locator('form[action$="/activate/"] button[type=submit]').click()

    expect(badge).to_have_class(re.compile(r"\bstatus-active\b"))
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.ACTIVE
    # The history lists all three steps: applied, approved, active.
    expect(page.locator(".membership ol.history li")).to_have_count(3)


def test_approval_without_a_decision_reference_is_refused(page, secretariat, login):
    org = make_organisation(secretariat, name="소양소프트")
    membership = services.apply_membership(actor=secretariat, organisation_id=org.pk, member_type="consumer")

    login(page, secretariat)
    page.goto(f"/network/organisations/{org.pk}/")
    approve = page.locator('form[action$="/approve/"]')
    # The browser itself blocks an empty required field ...
    expect(approve.locator('[name="decision_ref"]')).to_have_attribute("required", "")
    # ... and a blank reference that slips through is refused by the server.
    approve.locator('[name="decision_ref"]').fill("   ")
    with page.expect_navigation():
        approve.locator("button[type=submit]").click()

    expect(page.locator(".messages .message.error")).to_be_visible()
    expect(page.locator(".membership h2 .badge")).to_have_class(re.compile(r"\bstatus-applied\b"))
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPLIED


def test_pages_with_several_forms_label_each_field_once(page, secretariat, login):
    applied = make_organisation(secretariat, name="봄내데이터랩")
    services.apply_membership(actor=secretariat, organisation_id=applied.pk, member_type="producer")
    active = make_organisation(secretariat, name="소양소프트")
    membership = services.apply_membership(
        actor=secretariat, organisation_id=active.pk, member_type="consumer"
    )
    services.approve_membership(actor=secretariat, membership_id=membership.pk, decision_ref="제1호 의안")
    services.activate_membership(actor=secretariat, membership_id=membership.pk)

    login(page, secretariat)
    # Applied: approve and reject side by side, next to the person and product forms.
    page.goto(f"/network/organisations/{applied.pk}/")
    expect(page.locator('form[action$="/reject/"] [name="decision_ref"]')).to_have_count(1)
    expect(page.locator('form[action$="/products/"] [name="name"]')).to_have_count(1)
    expect(page.locator('form[action$="/people/"] [name="name"]')).to_have_count(1)
    assert page.evaluate(FORM_PROBLEMS) == []
    # Active: the withdrawal and expulsion forms share the page.
    page.goto(f"/network/organisations/{active.pk}/")
    expect(page.locator('form[action$="/withdraw/"] [name="on"]')).to_have_count(1)
    expect(page.locator('form[action$="/expel/"] [name="decision_ref"]')).to_have_count(1)
    assert page.evaluate(FORM_PROBLEMS) == []
    # An MOU: the activity and document forms both have a title.
    mou = services.create_mou(
        actor=secretariat, partner_id=active.pk, data={"title": "데이터 협력", "signed_on": "2020.11.23"}
    )
    page.goto(f"/network/mous/{mou.pk}/")
    expect(page.locator('form[action$="/documents/"] [name="title"]')).to_have_count(1)
    assert page.evaluate(FORM_PROBLEMS) == []
