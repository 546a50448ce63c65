"""Amounts on pages and PDFs: ``{% load amounts %}``.

``{{ value|amount }}`` → ``800,000.00`` (thousands separators, two decimals, any locale);
``{{ value|capitals:object.currency }}`` → ``人民幣捌拾萬元整`` (Traditional on zh-hant and
English pages, Simplified on zh-hans pages: core/money.py)."""

from django import template
from django.utils import translation

from onestop.core import money

register = template.Library()


@register.filter
def amount(value):
    return money.grouped(value)


@register.filter
def capitals(value, currency="CNY"):
    return money.capitals(value, currency or "CNY", money.script_for(translation.get_language()))
