"""Journey: the secretariat imports a member register saved by Korean Excel (CP949 CSV),
first as a dry run, then for real; a file with a bad row imports nothing."""

import re

from playwright.sync_api import expect

from dongne.network.choices import MembershipStatus
from dongne.network.models import Organisation
from tests.factories import business_number

HEADER = "기관명,사업자등록번호,대표자,시군구,조합원유형,조합원상태,가입일"


def write_cp949(path, rows):
    path.write_bytes("\r\n".join([HEADER, *rows]).encode("cp949"))
    return path


def upload(page, path, *, dry_run):
    page.locator("#id_file").set_input_files(path)
    page.locator("#id_dry_run").set_checked(dry_run)
    with page.expect_navigation():
        page.locator('main form[enctype="multipart/form-data"] button[type=submit]').click()


def test_cp949_register_is_checked_by_a_dry_run_then_imported(page, secretariat, login, tmp_path):
    numbers = [business_number(), business_number()]
    register = write_cp949(
        tmp_path / "조합원명부.csv",
        [
            f"강원관광데이터,{numbers[0]},김대표,춘천시,생산자,활동,2019.03.02",
            f"설악소프트웨어,{numbers[1]},이대표,속초시,소비자,신청,2020-05-11",
        ],
    )

    login(page, secretariat)
    page.goto("/network/import/")
    # The dry run is the default: checking a file must be the easy thing to do.
    expect(page.locator("#id_dry_run")).to_be_checked()

    upload(page, register, dry_run=True)
    result = page.locator("#import-result")
    expect(result).to_be_visible()
    expect(result).to_contain_text("cp949")  # the detected encoding is reported
    expect(page.locator("#import-error")).to_have_count(0)
    assert Organisation.objects.count() == 0

    upload(page, register, dry_run=False)
    expect(page.locator("#import-result")).to_be_visible()
    expect(page.locator("#import-error")).to_have_count(0)
    imported = {org.name: org for org in Organisation.objects.select_related("membership")}
    assert set(imported) == {"강원관광데이터", "설악소프트웨어"}
    tourism = imported["강원관광데이터"]
    assert tourism.business_number == numbers[0]
    assert tourism.representative == "김대표"
    assert tourism.sigungu_name == "춘천시"
    assert tourism.membership.status == MembershipStatus.ACTIVE
    assert imported["설악소프트웨어"].membership.status == MembershipStatus.APPLIED

    page.goto("/network/")
    cards = page.locator("#results .card")
    expect(cards).to_have_count(2)
    for org in imported.values():
        expect(cards.locator(f'a[href="/network/organisations/{org.pk}/"]')).to_have_text(org.name)


def test_register_with_a_bad_registration_number_imports_nothing(page, secretariat, login, tmp_path):
    good = business_number()
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)  # wrong check digit
    register = write_cp949(
        tmp_path / "조합원명부-오류.csv",
        [
            f"강원관광데이터,{good},김대표,춘천시,생산자,활동,2019.03.02",
            f"설악소프트웨어,{bad},이대표,속초시,소비자,신청,2020-05-11",
        ],
    )

    login(page, secretariat)
    page.goto("/network/import/")
    upload(page, register, dry_run=False)

    expect(page.locator("#import-error")).to_be_visible()
    expect(page.locator("#import-result")).to_have_count(0)
    problems = page.locator(".report table tbody tr")
    expect(problems).to_have_count(1)
    # Row numbers as Excel shows them (the header is row 1), and the column as the file names it.
    expect(problems.locator("td").nth(0)).to_have_text("3")
    expect(problems.locator("td").nth(1)).to_have_text("사업자등록번호")
    expect(problems.locator("td").nth(2)).not_to_have_text(re.compile(r"^\s*$"))
    # All or nothing: the valid row was not imported either.
    assert Organisation.objects.count() == 0
