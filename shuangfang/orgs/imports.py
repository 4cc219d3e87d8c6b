"""People as institutions keep them in Excel (``importing.SHEET``), imported through the shared
background import (``core.importing``)."""

from __future__ import annotations

from shuangfang.core import importing

from .importing import SHEET

importing.register(SHEET)
