"""Amounts as a Chinese company prints them (core/money.py): figures grouped by thousands and
the capitals (大寫金額) on contracts, settlements and payments."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from onestop.core import money

CAPITALS = [
    ("0", "人民幣零元整", "人民币零元整"),
    ("0.5", "人民幣伍角整", "人民币伍角整"),
    ("0.05", "人民幣伍分", "人民币伍分"),
    ("10", "人民幣壹拾元整", "人民币壹拾元整"),
    ("1001", "人民幣壹仟零壹元整", "人民币壹仟零壹元整"),
    ("800000", "人民幣捌拾萬元整", "人民币捌拾万元整"),
    (
        "12345678.90",
        "人民幣壹仟貳佰叄拾肆萬伍仟陸佰柒拾捌元玖角整",
        "人民币壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整",
    ),
    ("100000000", "人民幣壹億元整", "人民币壹亿元整"),
    ("100001000", "人民幣壹億零壹仟元整", "人民币壹亿零壹仟元整"),
    ("120000000", "人民幣壹億貳仟萬元整", "人民币壹亿贰仟万元整"),
    ("10.05", "人民幣壹拾元零伍分", "人民币壹拾元零伍分"),
    ("1000.10", "人民幣壹仟元壹角整", "人民币壹仟元壹角整"),
    ("1000.15", "人民幣壹仟元壹角伍分", "人民币壹仟元壹角伍分"),
    ("105000.5", "人民幣壹拾萬零伍仟元伍角整", "人民币壹拾万零伍仟元伍角整"),
    ("-1234.5", "人民幣負壹仟貳佰叄拾肆元伍角整", "人民币负壹仟贰佰叁拾肆元伍角整"),
    ("0.004", "人民幣零元整", "人民币零元整"),
    ("0.005", "人民幣壹分", "人民币壹分"),
]


@pytest.mark.parametrize(("amount", "traditional", "simplified"), CAPITALS)
def test_an_amount_in_capitals_follows_the_financial_rules(amount, traditional, simplified):
    assert money.capitals(Decimal(amount), "CNY") == traditional
    assert money.capitals(Decimal(amount), "CNY", script="Hans") == simplified


def test_the_currency_name_comes_from_the_records_currency():
    assert money.capitals(Decimal("100"), "HKD") == "港幣壹佰元整"
    assert money.capitals(Decimal("100"), "usd", script="Hans") == "美元壹佰元整"
    assert money.capitals(Decimal("100"), "XYZ") == "XYZ壹佰元整"


def test_what_is_not_a_number_prints_nothing_rather_than_failing():
    assert money.capitals(None) == ""
    assert money.capitals("abc") == ""
    assert money.grouped(None) == ""
    assert money.grouped("abc") == "abc"


@pytest.mark.parametrize(
    ("amount", "text"),
    [("0", "0.00"), ("800000", "800,000.00"), ("12345678.9", "12,345,678.90"), ("-1234.5", "-1,234.50")],
)
def test_figures_are_grouped_by_thousands_with_two_decimals(amount, text):
    assert money.grouped(Decimal(amount)) == text


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "人民幣捌拾萬元整"), ("zh-hans", "人民币捌拾万元整"), ("en", "人民幣捌拾萬元整")],
)
def test_the_template_filter_writes_the_pages_script_and_chinese_on_english_pages(language, expected):
    template = Template("{% load amounts %}{{ value|amount }} {{ value|capitals:currency }}")
    with translation.override(language):
        text = template.render(Context({"value": Decimal("800000"), "currency": "CNY"}))
    assert text == f"800,000.00 {expected}"
