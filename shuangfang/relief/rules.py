"""Rules of relief casework as data, each with its source and confidence tag (domain-reference §0).
Settings override the numbers; the source stays beside them."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Rule:
    value: int
    source: str
    confidence: str


def assistance_days() -> Rule:
    """The assistance period (救助期限): "generally ≤ 10 days" for persons aged 16+ without signs of
    mental or intellectual disability (§5.3); extensions are reason-coded (the seed extended it
    during the epidemic)."""
    return Rule(
        getattr(settings, "RELIEF_ASSISTANCE_DAYS", 10),
        "民发〔2014〕132号 工作规程; DB3212/T 1069-2021 (domain-reference §5.3)",
        "[V]",
    )


def self_departure_age() -> Rule:
    """Self-departure and the 自行离站声明书 need age 16+ (§5.3)."""
    return Rule(16, "民发〔2014〕132号 工作规程 (domain-reference §5.3)", "[V]")


def min_escort_staff() -> Rule:
    """An escorted trip has at least two staff (§5.8, [M])."""
    return Rule(2, "domain-reference §5.8 escort trip record", "[M]")


def retention_years() -> Rule:
    """Years after a case closed before the person's identifying data is anonymised. No national
    retention period for relief case files was found (NOT FOUND in domain-reference §5); the default
    of 3 years covers the repeat-wanderer match (which needs the identity of past stays) over the
    period the seed's letters follow up, and PIPL Art. 19 asks for the shortest period necessary.
    Set ``RELIEF_RETENTION_YEARS`` after checking the local archive rules."""
    return Rule(getattr(settings, "RELIEF_RETENTION_YEARS", 3), "PIPL Art. 19; local archive rules", "[M]")


MAX_AGE = 120  # an impossible age is refused
