"""Deterministic, realistic sample exports for the four source systems, with ground truth."""

from cdp.sample.generate import SampleSummary, generate_sample_exports, night_folders
from cdp.sample.profiles import PROFILES, SampleProfile

__all__ = [
    "PROFILES", "SampleProfile", "SampleSummary", "generate_sample_exports", "night_folders",
]
