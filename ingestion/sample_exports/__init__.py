"""Deterministic, realistic sample exports for the four source systems, with ground truth."""

from ingestion.sample_exports.generate import SampleSummary, generate_sample_exports

__all__ = ["SampleSummary", "generate_sample_exports"]
