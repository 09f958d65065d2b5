"""Limits the checks hold the data to; each can be set through the environment."""

import os
from dataclasses import dataclass


def _number(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass(frozen=True)
class Thresholds:
    # A customer far larger than the population's own sizes is most likely an over-merge (a
    # shared value the guards missed), so publishing stops until someone looks. "Far larger":
    # more records than max(floor, the `customer_size_quantile` of sizes x factor).
    customer_size_quantile: float
    customer_size_factor: float
    customer_size_floor: float
    # At most this share of all records may sit in customers whose records carry two or more
    # different people's names (a household or strangers joined): more means a guard failed.
    max_multi_person_record_share: float
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
            customer_size_quantile=_number("CDP_CUSTOMER_SIZE_QUANTILE", 0.999),
            customer_size_factor=_number("CDP_CUSTOMER_SIZE_FACTOR", 10),
            customer_size_floor=_number("CDP_CUSTOMER_SIZE_FLOOR", 50),
            max_multi_person_record_share=_number("CDP_MAX_MULTI_PERSON_RECORD_SHARE", 0.05),
            min_volume_ratio_to_previous_load=_number("CDP_MIN_VOLUME_RATIO", 0.01),
            max_segment_share=_number("CDP_MAX_SEGMENT_SHARE", 0.95),
            max_bad_value_share=_number("CDP_MAX_BAD_VALUE_SHARE", 0.2),
            min_bad_values_for_share=int(_number("CDP_MIN_BAD_VALUES", 20)),
            max_shrink_share=_number("CDP_MAX_SHRINK_SHARE", 0.1),
            allow_shrink=allow_shrink,
        )
