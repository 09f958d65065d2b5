"""Deterministic, realistic sample exports for the four source systems, with ground truth."""

from ingestion.sample_exports.generate import SampleSummary, generate_sample_exports
from ingestion.sample_exports.profiles import PROFILES, SampleProfile

__all__ = ["PROFILES", "SampleProfile", "SampleSummary", "generate_sample_exports"]
