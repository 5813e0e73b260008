"""Pseudonyms and age bands: what a de-identified roster shows in place of a name, an ID
number and a birth date.

A pseudonym is a keyed hash (HMAC-SHA256) of what it stands for, with a secret the town keeps
(`Town.pseudonym_key`): the same person has the same pseudonym in every file of that town,
and nobody without the key can work back from it, or make it from an ID number she holds.
It is written in letters only, so that a file's check for digit runs (an ID number, a phone)
holds for the pseudonyms too.
"""

import hashlib
import hmac
import secrets
from datetime import date
from functools import cache

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

# Upper-case letters without I and O, which read as 1 and 0.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"
LETTERS = 10  # 24^10 ≈ 6·10^13: two of a town's 100,000 people share one about once in 12,000 towns
# Five-year bands up to here, then one band: a village's few people over 85 would each be
# the only one of her band.
TOP_BAND = 85


def new_key() -> str:
    """A town's secret: 64 hex characters (256 bits)."""
    return secrets.token_hex(32)


def pseudonym(key: bytes | str, kind: str, value) -> str:
    """KXQMA-PTRWE: the keyed hash of `kind:value` in letters. `kind` ("person",
    "household") keeps a household's pseudonym from ever being a person's."""
    if isinstance(key, str):
        key = key.encode()
    digest = hmac.digest(key, f"{kind}:{value}".encode(), hashlib.sha256)
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _position in range(LETTERS):
        number, index = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[index])
    half = LETTERS // 2
    return f"{''.join(letters[:half])}-{''.join(letters[half:])}"


def person_pseudonym(key: bytes | str, id_number: str | None, pk) -> str:
    """A person's pseudonym, keyed on her ID number, which stays hers when her record does
    not: entered again after a deletion or a roster's re-import, she keeps her pseudonym.
    Without one (none is stored today: the field is required), on her record's key."""
    return pseudonym(key, "person", id_number) if id_number else pseudonym(key, "person-record", pk)


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(birth_date: date | None, on: date) -> str:
    """“40–44岁” on the day `on` (children by the same rule: 0–4, 5–9, 10–14), “85岁及以上”
    above, “不详” without a birth date or before it."""
    if birth_date is None or birth_date > on:
        return _band(None, get_language())
    age = age_on(birth_date, on)
    return _band(min(age - age % 5, TOP_BAND), get_language())


@cache
def _band(low: int | None, language: str | None) -> str:
    # Asked for each row of a county's roster: a few dozen labels, each translated once.
    if low is None:
        return pgettext("age band", "unknown")
    if low >= TOP_BAND:
        return _("%(age)d years and over") % {"age": TOP_BAND}
    return _("%(low)d–%(high)d years") % {"low": low, "high": low + 4}
