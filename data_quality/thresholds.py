"""Limits the checks hold the data to; each can be set through the environment."""

import os
from dataclasses import dataclass


def _number(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass(frozen=True)
class Thresholds:
    # A customer with more records than this is most likely an over-merge (a shared value the
    # exclusions missed), so publishing stops until someone looks.
    max_records_per_customer: int
    # A load bringing fewer rows than this share of the previous load is flagged (a broken
    # export often arrives as a tiny file); nightly deltas are small, so the default is low.
    min_volume_ratio_to_previous_load: float
    # No single RFM or lifecycle segment should hold more than this share of its customers.
    max_segment_share: float

    @classmethod
    def from_environment(cls) -> "Thresholds":
        return cls(
            max_records_per_customer=int(_number("CDP_MAX_RECORDS_PER_CUSTOMER", 200)),
            min_volume_ratio_to_previous_load=_number("CDP_MIN_VOLUME_RATIO", 0.01),
            max_segment_share=_number("CDP_MAX_SEGMENT_SHARE", 0.95),
        )
