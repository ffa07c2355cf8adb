"""Korean text tools: registration numbers, phone numbers, dates and amounts as Korean users
write them, and morpheme tokens for search.

Error messages are translated (Korean by default) while these tests are written, so they check
what survives translation: the example the message gives, or the value the user typed.
"""

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dongne.core.korean import (
    normalize_phone,
    parse_amount,
    parse_korean_date,
    tokens,
    validate_business_number,
    validate_corporate_number,
)
from dongne.core.korean.validators import business_number_check_digit, corporate_number_check_digit

# --- 사업자등록번호 -------------------------------------------------------------------------------


def _error(fn, value):
    """The message of the ValueError ``fn(value)`` raises (the test fails if it does not)."""
    with pytest.raises(ValueError) as info:
        fn(value)
    message = str(info.value)
    assert message.strip()
    return message


def _business_number(first9):
    return first9 + str(business_number_check_digit(first9))


@pytest.mark.parametrize(
    "value",
    [
        "124-81-00998",  # a real, published number (삼성전자)
        "1248100998",
        " 124 81 00998 ",
        "124 - 81 - 00998",
        _business_number("221810001"),
        _business_number("000000000"),
    ],
)
def test_valid_business_number_is_accepted_and_hyphenated(value):
    digits = "".join(c for c in value if c.isdigit())
    assert validate_business_number(value) == f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


@pytest.mark.parametrize(
    "value",
    ["124-81-00997", "124-81-00990", "1248100999"],
)
def test_business_number_with_wrong_check_digit_is_rejected(value):
    message = _error(validate_business_number, value)
    # Not the "10 digits (e.g. 123-45-67890)" message: the length is right, the number is not.
    assert "123-45-67890" not in message


@pytest.mark.parametrize("value", ["", None, "124-81-0099", "124-81-009981", "abc-de-fghij", "12481009"])
def test_business_number_of_wrong_length_is_rejected(value):
    assert "123-45-67890" in _error(validate_business_number, value)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_any_nine_digits_with_their_check_digit_validate(first9):
    number = _business_number(first9)
    assert validate_business_number(number) == f"{number[:3]}-{number[3:5]}-{number[5:]}"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_makes_the_number_invalid(first9, shift):
    wrong = (business_number_check_digit(first9) + shift) % 10
    with pytest.raises(ValueError):
        validate_business_number(first9 + str(wrong))


# --- 법인등록번호 -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["130111-0006246", "1301110006246", " 130111 0006246 "])
def test_valid_corporate_number_is_accepted_and_hyphenated(value):
    assert validate_corporate_number(value) == "130111-0006246"


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(min_value=1, max_value=9))
def test_corporate_number_check_digit_is_enforced(first12, shift):
    good = corporate_number_check_digit(first12)
    assert validate_corporate_number(first12 + str(good)) == f"{first12[:6]}-{first12[6:]}{good}"
    assert "110111-1234567" not in _error(validate_corporate_number, first12 + str((good + shift) % 10))


@pytest.mark.parametrize("value", ["", "130111-000624", "130111-00062461", "124-81-00998"])
def test_corporate_number_of_wrong_length_is_rejected(value):
    assert "110111-1234567" in _error(validate_corporate_number, value)


# --- phone numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("010-1234-5678", "010-1234-5678"),
        ("01012345678", "010-1234-5678"),
        ("010 1234 5678", "010-1234-5678"),
        ("+82 10-1234-5678", "010-1234-5678"),
        ("+821012345678", "010-1234-5678"),
        ("02-123-4567", "02-123-4567"),
        ("02-1234-5678", "02-1234-5678"),
        ("0212345678", "02-1234-5678"),
        ("033-123-4567", "033-123-4567"),
        ("(033) 250-1234", "033-250-1234"),
        ("0332501234", "033-250-1234"),
        ("033-1234-5678", "033-1234-5678"),
        ("070-1234-5678", "070-1234-5678"),
        ("07012345678", "070-1234-5678"),
        ("1588-1234", "1588-1234"),
        ("15881234", "1588-1234"),
        ("1577-0000", "1577-0000"),
        ("0505-123-4567", "0505-123-4567"),
        ("0504-1234-5678", "0504-1234-5678"),
    ],
)
def test_phone_numbers_are_normalised_to_the_hyphenated_form(value, expected):
    assert normalize_phone(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", None, "abc", "1234", "010-123-4567", "010-1234-56789", "02-12-345", "033-12-3456", "099-123-4567"],
)
def test_invalid_phone_numbers_are_rejected(value):
    assert "010-1234-5678" in _error(normalize_phone, value)


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2024.05.01",
        "20240501",
        "2024-05-01",
        "2024/05/01",
        "2024.5.1",
        "2024. 5. 1.",
        "2024. 05. 01",
        "2024년 5월 1일",
        "2024년5월1일",
        "2024년 05월 01일",
        "24.05.01",
        " 2024-05-01 ",
        "2024-05-01 13:00",
        "2024-05-01 13:00:00",
        "2024-05-01T13:00:00",
        "2024.05.01 09:30",
        "2024년 5월 1일 13:00",
        dt.date(2024, 5, 1),
        dt.datetime(2024, 5, 1, 23, 59),
    ],
)
def test_dates_are_read_as_korean_users_write_them(value):
    assert parse_korean_date(value) == dt.date(2024, 5, 1)


@pytest.mark.parametrize("value", ["2024-02-30", "2023.02.29", "20241301", "2024년 4월 31일", "2024-00-10"])
def test_dates_that_do_not_exist_are_rejected(value):
    message = _error(parse_korean_date, value)
    assert value in message  # names the date the user typed…
    assert "20240501" not in message  # …and does not claim the format is wrong


def test_leap_day_is_a_real_date():
    assert parse_korean_date("2024.02.29") == dt.date(2024, 2, 29)


@pytest.mark.parametrize("value", ["", None, "어제", "2024-05", "2024년 5월", "1 May 2024", "2024-05-01-02"])
def test_text_that_is_not_a_date_is_rejected_with_the_accepted_forms(value):
    message = _error(parse_korean_date, value)
    assert "2024.05.01" in message
    assert "20240501" in message


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_any_date_round_trips_through_the_common_forms(day):
    y, m, d = day.year, day.month, day.day
    for text in (
        f"{y:04d}.{m:02d}.{d:02d}",
        f"{y:04d}{m:02d}{d:02d}",
        f"{y:04d}-{m:02d}-{d:02d}",
        f"{y}. {m}. {d}.",
        f"{y}년 {m}월 {d}일",
    ):
        assert parse_korean_date(text) == day, text


# --- amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,234,000원", 1_234_000),
        ("₩1,234,000", 1_234_000),
        ("KRW 1,234,000", 1_234_000),
        ("1,234,000 원", 1_234_000),
        ("1234000", 1_234_000),
        ("0원", 0),
        ("123만원", 1_230_000),
        ("만원", 10_000),
        ("1억", 100_000_000),
        ("1억 2천만원", 120_000_000),
        ("1억2천만원", 120_000_000),
        ("3천5백만원", 35_000_000),
        ("10만 5천원", 105_000),
        ("12억3456만7890원", 1_234_567_890),
        ("1조 2억", 1_000_200_000_000),
        ("1.5억", 150_000_000),
        ("1.1억", 110_000_000),
        ("1.15억", 115_000_000),
        ("2.3만원", 23_000),
        ("0.7억", 70_000_000),
        ("-1,000원", -1_000),
        ("-5만원", -50_000),
        ("₩-1,000", -1_000),
        ("-1.5억", -150_000_000),
        (5000, 5000),
        (5000.0, 5000),
    ],
)
def test_amounts_are_read_as_korean_users_write_them(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "원",
        "abc",
        "만원쯤",
        "1e5",
        "1-000",
        "--1000",
        "1억억",
        "1억 2억",
        "5만3억",
        "1천 2천",
        "1.5원",
        "1,000.5원",
        "0.00001만",
        1.5,
        True,
    ],
)
def test_garbage_amounts_are_rejected(value):
    _error(parse_amount, value)


@given(st.integers(min_value=0))
def test_any_comma_grouped_amount_round_trips(n):
    assert parse_amount(f"{n:,}원") == n
    assert parse_amount(f"₩{n:,}") == n


@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=0, max_value=9999))
def test_eok_and_man_combine(eok, man):
    assert parse_amount(f"{eok}억 {man}만원") == eok * 10**8 + man * 10**4


# --- tokens --------------------------------------------------------------------------------------


def test_particles_are_dropped_from_nouns():
    assert tokens("관광객을") == ["관광객"]
    assert tokens("관광객이") == ["관광객"]
    assert "관광지" in tokens("춘천의 관광지를 찾는다")
    assert "를" not in tokens("춘천의 관광지를 찾는다")


def test_spacing_variants_give_the_same_tokens():
    assert tokens("빅데이터플랫폼") == tokens("빅데이터 플랫폼")
    assert tokens("빅데이터 플랫폼") == ["빅데이터", "플랫폼"]


def test_foreign_words_are_lowercased():
    assert tokens("Python과 AI 교육") == ["python", "ai", "교육"]
    assert ("iot", "foreign") in tokens("IoT 센서", with_tags=True)


def test_numbers_are_kept():
    assert "2024" in tokens("2024년 관광객")
    assert "150" in tokens("관광객 150명")


def test_decomposed_hangul_is_read_like_composed_hangul():
    # Text pasted from macOS file names arrives decomposed (NFD).
    assert tokens(unicodedata.normalize("NFD", "관광객을")) == ["관광객"]


@pytest.mark.parametrize("value", ["", None, "   "])
def test_empty_text_has_no_tokens(value):
    assert tokens(value) == []
