"""Parse and check the external identifiers an import may carry.

Each parser takes what a person or a registry writes (a bare id or a URL) and returns the
normalised form, or raises :class:`ValueError` with a sentence saying what is wrong. Checksums
are verified where the scheme has one, so a mistyped digit is caught at import time:

- Wikidata item: ``Q`` and digits (``http://www.wikidata.org/entity/Q…`` in the graph);
- ROR: ``0`` + six Crockford base-32 characters + a two-digit ISO 7064 mod 97-10 checksum;
- Swedish organisation number: ten digits ``NNNNNN-NNNN`` whose last digit is a Luhn check.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "is_slug",
    "parse_org_number",
    "parse_qid",
    "parse_ror",
    "slugify",
]

_QID = re.compile(r"(?:https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)")
_ROR = re.compile(r"(?:https?://ror\.org/)?(0[0-9a-hjkmnp-tv-z]{6}[0-9]{2})")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_ORG_NUMBER = re.compile(r"(?:SE)?(\d{6})-?(\d{4})(?:01)?")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def parse_qid(text: str) -> str:
    """A Wikidata item id from ``Q42`` or its entity/wiki URL.

    Examples
    --------
    >>> parse_qid("https://www.wikidata.org/wiki/Q105112")
    'Q105112'
    >>> parse_qid("105112")
    Traceback (most recent call last):
    ...
    ValueError: '105112' is not a Wikidata item id (Q followed by digits, e.g. Q105112)
    """
    match = _QID.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a Wikidata item id (Q followed by digits, e.g. Q105112)")
    return match.group(1)


def ror_checksum(body: str) -> int:
    """The two-digit checksum ROR appends to ``0`` + six base-32 characters."""
    number = 0
    for char in body:
        number = number * 32 + _CROCKFORD.index(char)
    return 98 - (number * 100) % 97


def parse_ror(text: str) -> str:
    """A ROR id (the nine characters after ``https://ror.org/``), checksum verified.

    Examples
    --------
    >>> parse_ror("https://ror.org/00pjdza24")
    '00pjdza24'
    >>> parse_ror("00pjdza25")
    Traceback (most recent call last):
    ...
    ValueError: '00pjdza25' has a wrong ROR checksum (expected 24 at the end)
    """
    match = _ROR.fullmatch(text.strip().lower())
    if not match:
        raise ValueError(
            f"{text!r} is not a ROR id (https://ror.org/ followed by 0, six letters or digits and two digits)"
        )
    rid = match.group(1)
    expected = ror_checksum(rid[:7])
    if int(rid[7:]) != expected:
        raise ValueError(f"{text!r} has a wrong ROR checksum (expected {expected:02d} at the end)")
    return rid


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(digits):
        value = int(char) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def parse_org_number(text: str) -> str:
    """A Swedish organisation number as ``NNNNNN-NNNN``, Luhn check digit verified.

    Accepts ``5560160680``, ``556016-0680`` and the VAT form ``SE556016068001``.

    Examples
    --------
    >>> parse_org_number("2120002528")
    '212000-2528'
    >>> parse_org_number("212000-2527")
    Traceback (most recent call last):
    ...
    ValueError: '212000-2527' fails the organisation number's check digit (Luhn)
    """
    compact = re.sub(r"\s", "", text)
    match = _ORG_NUMBER.fullmatch(compact)
    if not match:
        raise ValueError(f"{text!r} is not a Swedish organisation number (ten digits, NNNNNN-NNNN)")
    digits = match.group(1) + match.group(2)
    if not _luhn_ok(digits):
        raise ValueError(f"{text!r} fails the organisation number's check digit (Luhn)")
    return f"{digits[:6]}-{digits[6:]}"


def slugify(text: str) -> str:
    """The IRI slug of a label: ASCII, lower case, words joined by hyphens.

    Examples
    --------
    >>> slugify("Linköpings universitet"), slugify("Forska!Sverige"), slugify("GE, Nordic Region")
    ('linkopings-universitet', 'forska-sverige', 'ge-nordic-region')
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")


def is_slug(text: str) -> bool:
    """True for a well-formed slug (lower-case letters and digits joined by single hyphens)."""
    return bool(_SLUG.fullmatch(text))
