from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from shuangfang.risks.choices import NATIONAL, RiskLevel

register = template.Library()


@register.simple_tag
def level_badge(level, palette=None):
    """The level as a coloured badge, in the palette in force (national by default)."""
    palette = palette or NATIONAL
    if not level:
        return format_html('<span class="level-badge level-none">{}</span>', _("Not assessed"))
    return format_html(
        '<span class="level-badge" data-level="{}" style="background:{};color:{}">{}</span>',
        level,
        palette.colour(level),
        palette.text_colour(level),
        RiskLevel(int(level)).label,
    )


@register.filter
def level_colour_of(level, palette=None):
    return (palette or NATIONAL).colour(level)


@register.filter
def accident_types(names) -> str:
    """A factor's accident types in the reader's language (a seeded list with an English column)."""
    from shuangfang.core import seedtext
    from shuangfang.risks.choices import ACCIDENT_TYPES_EN

    if seedtext.english():
        return ", ".join(ACCIDENT_TYPES_EN.get(n, n) for n in names or [])
    return "、".join(names or [])
