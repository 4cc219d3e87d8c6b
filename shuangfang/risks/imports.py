"""The risk inventory as assessors keep it in Excel (``inventory.SHEET``), imported through the
shared background import (``core.importing``): a job with progress, all rows or none."""

from __future__ import annotations

from shuangfang.core import importing

from .inventory import SHEET

importing.register(SHEET)
