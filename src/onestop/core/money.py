"""Amounts as a Chinese company prints them: grouped figures and capitals (大寫金額).

``grouped(Decimal("800000"))`` → ``"800,000.00"``;
``capitals(Decimal("800000"), "CNY")`` → ``"人民幣捌拾萬元整"`` (Traditional) and, with
``script="Hans"``, ``"人民币捌拾万元整"``.

The capitals follow the usual rules for bills and vouchers (《支付結算辦法》附件):

* digits 零壹貳叄肆伍陸柒捌玖 with the units 拾佰仟 and 萬/億 every four places; a leading
  one in the tens is written 壹拾 (10 → 壹拾元), so nothing can be put in front of it;
* one 零 stands for any run of zeros between two written digits (1001 → 壹仟零壹元,
  100001000 → 壹億零壹仟元), including zeros across a 萬 or 億 group; zeros at the end of the
  integer part are not written (800000 → 捌拾萬元);
* 元 ends the integer part; with no integer part only the 角/分 are written (0.5 → 伍角);
* 零 between 元 and 分 when there are 分 but no 角 (10.05 → 壹拾元零伍分); a zero in the 元
  place before 角 is not written (1000.10 → 壹仟元壹角) — the rules allow both forms;
* 整 when there are no 分 (after 元 or after 角); never after 分; zero is 零元整;
* a negative amount gets 負 after the currency name (人民幣負壹佰元整);
* the currency's name comes first, from the record's ISO code (CNY → 人民幣); an unknown
  code is printed as it is.

Amounts are rounded to the 分 (half up). Up to 萬億 (16 integer digits) are written.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings

CENT = Decimal("0.01")

_SCRIPTS: dict[str, dict[str, Any]] = {
    "Hant": {
        "digits": "零壹貳叄肆伍陸柒捌玖",
        "units": ("", "拾", "佰", "仟"),
        "groups": ("", "萬", "億", "萬億"),
        "yuan": "元",
        "jiao": "角",
        "fen": "分",
        "whole": "整",
        "minus": "負",
    },
    "Hans": {
        "digits": "零壹贰叁肆伍陆柒捌玖",
        "units": ("", "拾", "佰", "仟"),
        "groups": ("", "万", "亿", "万亿"),
        "yuan": "元",
        "jiao": "角",
        "fen": "分",
        "whole": "整",
        "minus": "负",
    },
}

# ISO 4217 code → (Traditional, Simplified) name as printed before the capitals.
CURRENCY_NAMES = {
    "CNY": ("人民幣", "人民币"),
    "RMB": ("人民幣", "人民币"),
    "HKD": ("港幣", "港币"),
    "MOP": ("澳門元", "澳门元"),
    "TWD": ("新臺幣", "新台币"),
    "USD": ("美元", "美元"),
    "EUR": ("歐元", "欧元"),
    "GBP": ("英鎊", "英镑"),
    "JPY": ("日圓", "日元"),
    "SGD": ("新加坡元", "新加坡元"),
}


def to_decimal(value) -> Decimal | None:
    """``value`` as a Decimal rounded to the 分, or None when it is not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not number.is_finite():
        return None
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def grouped(value) -> str:
    """``1234567.8`` → ``"1,234,567.80"``: thousands separators, two decimals, whatever the
    page's locale. Not a number: returned as text unchanged (empty for None)."""
    number = to_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return f"{number:,.2f}"


def script_for(language: str | None) -> str:
    """``"Hans"`` for Simplified Chinese (zh-hans, zh-cn, zh-sg), ``"Hant"`` for the other
    Chinese languages. English (and any other language) prints the capitals in the script of
    the company's language (``LANGUAGE_CODE``, Traditional by default): they are a Chinese
    legal wording, not a translation."""
    code = (language or "").lower().replace("_", "-")
    if not code.startswith("zh"):
        code = (settings.LANGUAGE_CODE or "zh-hant").lower()
    return "Hans" if code.startswith(("zh-hans", "zh-cn", "zh-sg")) else "Hant"


def currency_name(currency: str | None, script: str = "Hant") -> str:
    code = (currency or "CNY").strip().upper()
    names = CURRENCY_NAMES.get(code)
    if names is None:
        return code
    return names[1] if script == "Hans" else names[0]


def _integer_capitals(number: int, words: dict) -> str:
    digits = str(number)
    if len(digits) > 4 * len(words["groups"]):
        raise ValueError("amount too large for capitals")
    out: list[str] = []
    zero_pending = False
    size = len(digits)
    for index, char in enumerate(digits):
        position = size - 1 - index
        digit = int(char)
        if digit == 0:
            zero_pending = bool(out)
        else:
            if zero_pending:
                out.append(words["digits"][0])
                zero_pending = False
            out.append(words["digits"][digit] + words["units"][position % 4])
        if position % 4 == 0 and position > 0:
            group = digits[max(0, index - 3) : index + 1]
            if int(group):
                out.append(words["groups"][position // 4])
    return "".join(out)


def capitals(value, currency: str | None = "CNY", script: str = "Hant") -> str:
    """The amount in Chinese capitals with the currency's name, e.g. ``人民幣捌拾萬元整``.

    ``script`` is ``"Hant"`` (Traditional, the default) or ``"Hans"`` (Simplified). Not a
    number: empty text."""
    number = to_decimal(value)
    if number is None:
        return ""
    words = _SCRIPTS["Hans" if script == "Hans" else "Hant"]
    sign = words["minus"] if number < 0 else ""
    cents = int((abs(number) * 100).to_integral_value())
    integer, jiao, fen = cents // 100, (cents // 10) % 10, cents % 10
    text = ""
    if integer:
        text = _integer_capitals(integer, words) + words["yuan"]
    if jiao:
        text += words["digits"][jiao] + words["jiao"]
    if fen:
        if not jiao and integer:
            text += words["digits"][0]
        text += words["digits"][fen] + words["fen"]
    if not cents:
        text = words["digits"][0] + words["yuan"]
    if not fen:
        text += words["whole"]
    return currency_name(currency, script) + sign + text
