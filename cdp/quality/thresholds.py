"""Limits the checks hold the data to; each is a setting (`[quality]` in the settings tree)."""

from dataclasses import dataclass

from cdp.settings import Settings, current_settings


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
    def from_settings(cls, settings: Settings | None = None,
                      allow_shrink: bool = False) -> "Thresholds":
        """The limits of `[quality]` and `[publishing]` in the settings tree."""
        settings = settings or current_settings()
        quality = settings.quality
        return cls(
            customer_size_quantile=quality.customer_size_quantile,
            customer_size_factor=quality.customer_size_factor,
            customer_size_floor=quality.customer_size_floor,
            max_multi_person_record_share=quality.max_multi_person_record_share,
            min_volume_ratio_to_previous_load=quality.min_volume_ratio,
            max_segment_share=quality.max_segment_share,
            max_bad_value_share=quality.max_bad_value_share,
            min_bad_values_for_share=quality.min_bad_values,
            max_shrink_share=settings.publishing.max_shrink_share,
            allow_shrink=allow_shrink,
        )
