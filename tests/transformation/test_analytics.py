"""RFM scores and business-day columns on a real dbt build of the generated sample."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from cdp.transformation.dbt_runner import DBT_PROJECT_DIR
from tests.helpers import query

PROJECT_VARS = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["cdp"]
CUT_POINTS = PROJECT_VARS["rfm_frequency_cut_points"]
BUSINESS_TIMEZONE = ZoneInfo(PROJECT_VARS["business_timezone"])


@pytest.fixture(scope="module")
def built_warehouse(built_sample: Path) -> Path:
    """Both nights of the sample, loaded and transformed."""
    return built_sample


def expected_frequency_score(orders_count: int) -> int:
    """1 plus the number of cut points the order count reaches."""
    return 1 + sum(orders_count >= cut_point for cut_point in CUT_POINTS)


def test_one_time_buyers_are_never_champions_nor_loyal(built_warehouse):
    segments = dict(query(built_warehouse, """
        select rfm_segment, count(*) from marts.customers
        where orders_count = 1 group by rfm_segment"""))
    assert sum(segments.values()) > 0, "the sample has one-time buyers"
    assert "Champions" not in segments
    assert "Loyal" not in segments


def test_frequency_scores_follow_the_cut_points(built_warehouse):
    scores = query(built_warehouse, """
        select orders_count, rfm_frequency_score, count(*) from marts.customers
        where orders_count > 0 group by all""")
    assert {score for _, score, _ in scores} >= {1, 2, 3}, "the sample has repeat buyers"
    for orders_count, score, _ in scores:
        assert score == expected_frequency_score(orders_count), orders_count
    assert query(built_warehouse, """
        select count(*) from marts.customers
        where orders_count = 0 and (rfm_frequency_score is not null or rfm_segment is not null)
    """) == [(0,)]


def test_equal_values_share_a_score_and_scores_spread(built_warehouse):
    for column, score in [("last_order_at", "rfm_recency_score"),
                          ("net_revenue", "rfm_monetary_score")]:
        assert query(built_warehouse, f"""
            select count(*) from (
                select {column} from marts.customers where orders_count > 0
                group by {column} having count(distinct {score}) > 1
            )""") == [(0,)], score
        assert query(built_warehouse, f"""
            select count(distinct {score}) from marts.customers
            where orders_count > 0""") == [(5,)], score


def test_most_rfm_segments_appear(built_warehouse):
    segments = dict(query(built_warehouse, """
        select rfm_segment, count(*) from marts.customers
        where rfm_segment is not null group by rfm_segment"""))
    print(f"\nRFM segments: {segments}")
    assert len(segments) >= 6, segments


def _local(moment: datetime) -> datetime:
    """A UTC timestamp as wall-clock time in the business time zone, by Python's zoneinfo."""
    return moment.astimezone(BUSINESS_TIMEZONE).replace(tzinfo=None)


def test_local_columns_follow_the_business_time_zone(built_warehouse):
    orders = query(built_warehouse,
                   "select ordered_at, ordered_at_local, ordered_date_local from marts.orders")
    for ordered_at, ordered_at_local, ordered_date_local in orders:
        assert ordered_at_local == _local(ordered_at), ordered_at
        assert ordered_date_local == _local(ordered_at).date(), ordered_at
    assert sum(_local(row[0]).date() != row[0].date() for row in orders) > 0, \
        "some orders fall on another day in UTC than locally"

    for sql in [
        "select occurred_at, occurred_at_local, occurred_date_local from marts.events",
        "select started_at, started_at_local, started_date_local from marts.sessions",
    ]:
        for moment, moment_local, date_local in query(built_warehouse, sql):
            assert (moment_local, date_local) == (_local(moment), _local(moment).date()), sql

    assert query(built_warehouse, """
        select count(*) from marts.order_lines
        inner join marts.orders on order_lines.order_id = orders.order_id
        where order_lines.ordered_date_local is distinct from orders.ordered_date_local
    """) == [(0,)]

    for moment_column, date_column in [("first_seen_at", "first_seen_date_local"),
                                       ("last_seen_at", "last_seen_date_local"),
                                       ("first_order_at", "first_order_date_local"),
                                       ("last_order_at", "last_order_date_local")]:
        for moment, date_local in query(
                built_warehouse, f"select {moment_column}, {date_column} from marts.customers"):
            assert date_local == (moment and _local(moment).date()), date_column
