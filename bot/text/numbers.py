"""Check that the numbers of a Japanese sentence survive translation. Pure.

Japanese counts in 万 (10^4) and 億 (10^8): 948億ドル is $94.8 billion, 2.6万TEU is 26,000 TEU.
Machine translation often gets these wrong, so every number is compared by value.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_JA_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(兆|億|万|千)?(?:(\d[\d,]*(?:\.\d+)?)\s*(万|千))?")
_JA_UNITS = {"兆": Decimal(10) ** 12, "億": Decimal(10) ** 8, "万": Decimal(10) ** 4,
             "千": Decimal(1000)}
_EN_NUMBER = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)\s*(trillion|billion|million|thousand|tn|bn|mn|m|k)?\b", re.IGNORECASE
)
_EN_UNITS = {"trillion": 10**12, "tn": 10**12, "billion": 10**9, "bn": 10**9,
             "million": 10**6, "mn": 10**6, "m": 10**6, "thousand": 1000, "k": 1000}
# Small numbers are routinely written as words ("second", "five countries"): not checked.
_MIN_CHECKED = Decimal(10)


def _to_decimal(digits: str) -> Decimal | None:
    try:
        return Decimal(digits.replace(",", ""))
    except InvalidOperation:
        return None


def japanese_numbers(text: str) -> list[tuple[str, Decimal]]:
    """(surface, value) of each number in Japanese text, with 億/万 applied."""
    found = []
    for match in _JA_NUMBER.finditer(text):
        value = _to_decimal(match.group(1))
        if value is None:
            continue
        if match.group(2):
            value *= _JA_UNITS[match.group(2)]
        if match.group(3) and match.group(4):  # 1億2000万 = 120,000,000
            extra = _to_decimal(match.group(3))
            if extra is not None:
                value += extra * _JA_UNITS[match.group(4)]
        found.append((match.group(0).strip(), value))
    return found


def english_numbers(text: str) -> set[Decimal]:
    """Values of the numbers in English text, with million/billion applied."""
    values: set[Decimal] = set()
    for match in _EN_NUMBER.finditer(text):
        value = _to_decimal(match.group(1))
        if value is None:
            continue
        values.add(value)
        if match.group(2):
            values.add(value * _EN_UNITS[match.group(2).lower()])
    return values


def checked_numbers(ja: str) -> list[tuple[str, Decimal]]:
    """The numbers of `ja` that `check_numbers` looks for in the English."""
    return [(surface, value) for surface, value in japanese_numbers(ja) if value >= _MIN_CHECKED]


def check_numbers(ja: str, en: str) -> list[str]:
    """Warnings for numbers in `ja` whose value is missing from `en`."""
    wanted = english_numbers(en)
    return [
        f"number {surface} ({_plain(value)}) missing in translation"
        for surface, value in checked_numbers(ja)
        if value not in wanted
    ]


def _plain(value: Decimal) -> str:
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
