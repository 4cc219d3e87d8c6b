"""``{% load seedtext %}{{ scale|pick:"name" }}``: a seeded list's text in the reader's language."""

from django import template

from shuangfang.core import seedtext

register = template.Library()


@register.filter
def pick(data, key: str) -> str:
    return seedtext.pick(data, key)
