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
    # One bad value is set aside (marts.data_issues) and never stops a night. A column where
    # more than this share of one night's records are bad is a systemic problem (the export's
    # format changed), and stops publishing ...
    max_bad_value_share: float
    # ... once at least this many of its values are bad: a handful in a tiny load is no system.
    min_bad_values_for_share: int
    # customers and orders may shrink by at most this share against the published version
    # (merges shrink customers a little); more stops publishing unless the run allows it.
    max_shrink_share: float
    # `cdp run --allow-shrink`: this run may publish marts smaller than the published ones.
    allow_shrink: bool = False

    @classmethod
    def from_environment(cls, allow_shrink: bool = False) -> "Thresholds":
        return cls(
            max_records_per_customer=int(_number("CDP_MAX_RECORDS_PER_CUSTOMER", 200)),
            min_volume_ratio_to_previous_load=_number("CDP_MIN_VOLUME_RATIO", 0.01),
            max_segment_share=_number("CDP_MAX_SEGMENT_SHARE", 0.95),
            max_bad_value_share=_number("CDP_MAX_BAD_VALUE_SHARE", 0.2),
            min_bad_values_for_share=int(_number("CDP_MIN_BAD_VALUES", 20)),
            max_shrink_share=_number("CDP_MAX_SHRINK_SHARE", 0.1),
            allow_shrink=allow_shrink,
        )
