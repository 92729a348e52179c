"""Cancer Variation Explorer: where, and for whom, cancer outcomes differ in England."""

__version__ = "0.1.0"
