"""What several page groups share."""

from __future__ import annotations

from shuangfang.risks.choices import NATIONAL, palette_for


def user_palette(user):
    """The palette for list pages: the one of the user's first institution or bureau."""
    m = user.active_memberships().select_related("organization").order_by("organization__depth").first()
    return palette_for(m.organization) if m else NATIONAL
