from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from federation.core.identity import check_character, mask_id_number, mask_phone, normalize_phone, parse_id_number
from federation.models import Person
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


STORED_AS_NUMBER = (
    "The ID number %s was stored by Excel as a number and has lost digits. "
    "Format the column as text and type the number again."
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("6.21226E+17", "6.21226E+17"),  # what a CSV saved from the number cell holds
        ("6.2122819800101e+17", "6.2122819800101E+17"),
        ("621228197005010011.0", "621228197005010011.0"),
        ("621228198001010000.00", "621228198001010000.00"),
        (6.2122819800101e17, "6.2122819800101E+17"),  # the number cell itself
        (621228198001010000, "621228198001010000"),  # an integer too: Excel's rounding may pass the check
    ],
)
def test_a_number_excel_stored_as_a_float_is_rejected_with_advice(value, shown):
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        parse_id_number(value)
    assert raised.value.code == "id_numeric"
    assert raised.value.messages == [STORED_AS_NUMBER % shown]


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00a0", "\t", "\u3000"])
def test_invisible_characters_inside_an_id_number_are_removed(invisible):
    number = f"{invisible}110105{invisible}19491231002X{invisible}"
    assert parse_id_number(number).number == "11010519491231002X"


def test_future_birth_date_is_rejected():
    first17 = "62122821990101001"
    assert "将来" in _error(first17 + check_character(first17))


def test_masks():
    assert mask_id_number("621228198001012686") == "621228************"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0939-4123456") == "0939-***3456"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("13812345678.0", "13812345678"),
        (13812345678.0, "13812345678"),  # a number cell
        ("+86 138 1234 5678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("0086 138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("138\u200b1234\u00a05678", "13812345678"),
        ("0939-4123456", "0939-4123456"),
        ("(0939)4123456", "0939-4123456"),
        ("（0939）4123456", "0939-4123456"),
        ("09394123456", "0939-4123456"),
        ("0939 412 3456", "0939-4123456"),
        ("+86 939 4123456", "0939-4123456"),
        (9394123456.0, "0939-4123456"),  # a number cell dropped the leading 0
        ("02420385104", "024-20385104"),  # split at the real area code, not 0242-0385104
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("(010) 1234 5678", "010-12345678"),
        ("0755-12345678", "0755-12345678"),
    ],
)
def test_phones_are_normalised(raw, normal):
    assert normalize_phone(raw) == normal


BAD_PHONE = (
    "The phone number %s is not a valid mobile or landline number. Write a mobile number as 11 digits "
    "(e.g. 13812345678) and a landline with its area code (e.g. 0939-4123456)."
)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("14012345678", "14012345678"),  # prefixes no operator was given
        ("15412345678", "15412345678"),
        ("174 1234 5678", "17412345678"),
        ("19412345678", "19412345678"),
        ("12345678901", "12345678901"),
        ("4123456", "4123456"),  # a landline without its area code
        ("1381234567", "1381234567"),
        ("138123456789", "138123456789"),
        ("138-CALL-5678", "138-CALL-5678"),  # phonenumbers would read the letters as digits
        ("400-810-8888", "400-810-8888"),  # a service number is nobody's phone
        ("+1 650 253 0000", "+16502530000"),
        ("手机", "手机"),
    ],
)
def test_bad_phones_are_rejected(raw, shown):
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        normalize_phone(raw)
    assert raised.value.code == "phone_format"
    assert raised.value.messages == [BAD_PHONE % shown]


def test_the_model_fields_apply_the_same_rules():
    phone, id_number = Person._meta.get_field("phone"), Person._meta.get_field("id_number")
    assert phone.clean("+86 (024) 2038-5104", None) == "024-20385104"
    with pytest.raises(ValidationError) as raised:
        phone.clean("17412345678", None)
    assert raised.value.error_list[0].code == "phone_format"
    assert id_number.clean("\u200b110105\u00a019491231002x\ufeff", None) == "11010519491231002X"
