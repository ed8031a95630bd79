"""A draft: the gaps it shows, visibly marked, instead of stopping at them."""

from __future__ import annotations

from collections.abc import Iterable

# Gaps a draft renders (visibly marked; a CPR number masked) instead of stopping at.
DRAFT_GAPS = {"RG202", "RG205", "RG601"}


def draft_helps(codes: Iterable[str], draft: bool) -> bool:
    """Whether a draft would be written where these errors stop the report."""
    return not draft and all(code in DRAFT_GAPS for code in codes)
