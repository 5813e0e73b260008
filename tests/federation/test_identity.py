from datetime import date

import pytest
from django.core.exceptions import ValidationError

from federation.identity import (
    check_character,
    mask_id_number,
    mask_phone,
    normalize_phone,
    parse_id_number,
)
from tests.factories import make_id_number


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), "F"),  # the standard's own examples
        ("440524188001010014", date(1880, 1, 1), "M"),
    ],
)
def test_standard_examples_are_valid(number, born, sex):
    parsed = parse_id_number(number)
    assert parsed.number == number
    assert parsed.birth_date == born
    assert parsed.sex == sex
    assert parsed.upgraded is False


def test_synthetic_numbers_are_valid_and_give_sex_and_birth_date():
    for sex in "MF":
        number = make_id_number(date(2012, 2, 29), sex)
        parsed = parse_id_number(number)
        assert (parsed.sex, parsed.birth_date) == (sex, date(2012, 2, 29))


def test_lower_case_x_and_full_width_are_normalised():
    assert parse_id_number("11010519491231002x").number == "11010519491231002X"
    assert parse_id_number("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"
    assert parse_id_number(" 110105 19491231 002x\n").number == "11010519491231002X"


def test_fifteen_digit_number_is_upgraded_to_eighteen():
    parsed = parse_id_number("110105491231002")
    first17 = "11010519491231002"
    assert parsed.number == first17 + check_character(first17)
    assert parsed.upgraded is True
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "F"


def _error(value) -> str:
    with pytest.raises(ValidationError) as raised:
        parse_id_number(value)
    return raised.value.messages[0]


def test_wrong_check_character_is_rejected():
    assert "校验码" in _error("110105194912310021")


def test_thirtieth_of_february_is_rejected():
    first17 = "62122820100230002"
    assert "出生日期" in _error(first17 + check_character(first17))


def test_seventeen_characters_are_rejected():
    assert "18" in _error("11010519491231002")


@pytest.mark.parametrize("value", ["6.21226E+17", 6.2122819800101e17, "621228198001010000.0"])
def test_a_number_excel_stored_as_a_float_is_rejected_with_advice(value):
    message = _error(value)
    assert "文本" in message


def test_future_birth_date_is_rejected():
    first17 = "62122821990101001"
    assert "将来" in _error(first17 + check_character(first17))


def test_masks():
    assert mask_id_number("621228198001012686") == "621228********2686"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0939-4123456") == "0939-***3456"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("13812345678.0", "13812345678"),
        ("0939-4123456", "0939-4123456"),
        ("(0939)4123456", "0939-4123456"),
        ("09394123456", "0939-4123456"),
    ],
)
def test_phones_are_normalised(raw, normal):
    assert normalize_phone(raw) == normal


@pytest.mark.parametrize("raw", ["12345678901", "4123456", "1381234567", "手机"])
def test_bad_phones_are_rejected(raw):
    with pytest.raises(ValidationError) as raised:
        normalize_phone(raw)
    assert "手机号" in raised.value.messages[0]
