"""Cancer-type labels that mean something beyond their text: the totals, and 'not applicable'.

Published files name their totals "All cancers" or "All suspected cancers"; every layer
that needs to tell a total from a site asks here.
"""

from __future__ import annotations

ALL_CANCERS = "All cancers"
ALL_SUSPECTED = "All suspected cancers"
NOT_APPLICABLE = "Not applicable"  # rows that describe the population, not a cancer
TOTAL_PREFIX = "All"
SUSPECTED_PREFIX = "Suspected"


def is_total(cancer_type: str) -> bool:
    """A row for all cancer types together (the sum of the sites, where the source's sites are exhaustive)."""
    return cancer_type.startswith(TOTAL_PREFIX)


def is_all_suspected(cancer_type: str) -> bool:
    return cancer_type.startswith(ALL_SUSPECTED.removesuffix(" cancers"))


def is_suspected_site(cancer_type: str) -> bool:
    """A suspected cancer type of a referral (e.g. "Suspected lung cancer"), not a diagnosis."""
    return cancer_type.startswith(SUSPECTED_PREFIX)


def names_no_site(cancer_type: str) -> bool:
    """True when the label says nothing about a site: a total, or not applicable."""
    return cancer_type == NOT_APPLICABLE or is_total(cancer_type)
