"""A real dbt build over generated exports: the public marts hold what they promise."""

import csv
import shutil
from pathlib import Path

import pytest

from cdp.transformation.dbt_runner import dbt_unit_tests
from tests.helpers import query, run_transform


@pytest.fixture(scope="module")
def built_warehouse(built_sample: Path) -> Path:
    """Night 1 and night 2 of the sample, loaded and transformed."""
    return built_sample


def test_every_source_record_maps_to_exactly_one_customer(built_warehouse):
    expected = query(built_warehouse, """
        select
            (select count(distinct anonymous_id) from raw_website.events)
            + (select count(distinct record_id) from raw_crm.contacts)
            + (select count(distinct id) from raw_social.leads)
            + (select count(distinct name) from raw_pos.order_lines)
            + (select count(distinct euid) from raw_email.mailchimp_members)
            + (select count(distinct email_id) from raw_email.mailchimp_activity)
            + (select count(distinct coalesce(user_id, anonymous_id)) from raw_email.events)
            + (select count(distinct anonymous_id) from raw_app.events)
            + (select count(distinct user_id_by_app) from raw_chat.zalo_events)
            + (select count(distinct case
                when json_extract_string(message, '$.is_echo') = 'true'
                    then json_extract_string(recipient, '$.id')
                else json_extract_string(sender, '$.id') end)
               from raw_chat.messenger_events)""")[0][0]
    assert query(built_warehouse, """
        select count(*), count(distinct (source, record_id)), count(customer_id)
        from marts.customer_records""") == [(expected, expected, expected)]
    assert query(built_warehouse, """
        select count(*) from marts.customer_records
        where customer_id not in (select customer_id from marts.customers)""") == [(0,)]


def test_keys_are_unique_and_not_null(built_warehouse):
    for table, key in [("customers", "customer_id"), ("orders", "order_id"),
                       ("events", "event_id"), ("sessions", "session_id"),
                       ("identity_graph", "identifier_type, identifier_value, customer_id"),
                       ("identity_exclusions", "identifier_type, identifier_value"),
                       ("order_lines", "order_id, line_position")]:
        rows, distinct_keys = query(
            built_warehouse, f"select count(*), count(distinct ({key})) from marts.{table}")[0]
        assert rows == distinct_keys > 0, table


def test_revenue_reconciles_to_the_raw_shopify_totals(built_warehouse):
    # Straight from the raw rows: each order's newest first line, total minus refunds.
    [(raw_net, raw_refunds)] = query(built_warehouse, """
        with first_lines as (
            select name, total, refunded_amount,
                row_number() over (
                    partition by name order by _dlt_load_id desc, _source_file desc) as newest
            from raw_pos.order_lines where line_position = 1
        )
        select sum(total - refunded_amount), sum(refunded_amount)
        from first_lines where newest = 1""")
    assert raw_refunds > 0, "night 2 refunds some orders"
    assert query(built_warehouse, "select sum(net_revenue), sum(refunded_amount) "
                                  "from marts.orders") == [(raw_net, raw_refunds)]
    assert query(built_warehouse, "select sum(net_revenue) from marts.customers") == [(raw_net,)]
    assert query(built_warehouse, "select count(*) from marts.orders "
                                  "where customer_id is null") == [(0,)]


def _pairwise_scores(assignments: dict, truth: dict) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering (record -> cluster) against the truth."""
    def pairs(groups: dict) -> int:
        return sum(size * (size - 1) // 2 for size in groups.values())

    together, by_cluster, by_person = {}, {}, {}
    for record, cluster in assignments.items():
        person = truth[record]
        together[cluster, person] = together.get((cluster, person), 0) + 1
        by_cluster[cluster] = by_cluster.get(cluster, 0) + 1
        by_person[person] = by_person.get(person, 0) + 1
    true_positives = pairs(together)
    return true_positives / pairs(by_cluster), true_positives / pairs(by_person)


def test_identity_resolution_beats_exact_email_matching(built_warehouse, sample_dir):
    with (sample_dir / "ground_truth.csv").open(encoding="utf-8") as handle:
        truth = {(row["source"], row["record_id"]): row["person_id"]
                 for row in csv.DictReader(handle)}
    resolved = {(source, record): customer for source, record, customer in query(
        built_warehouse, "select source, record_id, customer_id from marts.customer_records")}
    # The baseline links records whose email, lower-cased and trimmed, is the same.
    baseline = {(source, record): email or f"{source}:{record}" for source, record, email in
                query(built_warehouse, """
        with emails as (
            select 'crm' as source, record_id, email from raw_crm.contacts
            union all select 'social', id, email from raw_social.leads
            union all select 'pos', name, email from raw_pos.order_lines
            union all select 'website', anonymous_id,
                json_extract_string(traits, '$.email') from raw_website.events
            union all select 'email', euid, email_address from raw_email.mailchimp_members
            union all select 'email', email_id, email_address from raw_email.mailchimp_activity
            union all select 'email', coalesce(user_id, anonymous_id),
                json_extract_string(context, '$.traits.email') from raw_email.events
            union all select 'app', anonymous_id,
                json_extract_string(traits, '$.email') from raw_app.events
            -- A chat gives no email field: each account is its own.
            union all select 'chat', user_id_by_app, null from raw_chat.zalo_events
            union all select 'chat', case
                    when json_extract_string(message, '$.is_echo') = 'true'
                        then json_extract_string(recipient, '$.id')
                    else json_extract_string(sender, '$.id') end, null
                from raw_chat.messenger_events
        )
        select source, record_id, min(nullif(lower(trim(email)), '')) from emails group by all
    """)}
    assert set(resolved) == set(baseline) <= set(truth)

    precision, recall = _pairwise_scores(resolved, truth)
    baseline_precision, baseline_recall = _pairwise_scores(baseline, truth)

    print(f"\nidentity resolution: precision {precision:.4f}, recall {recall:.4f}; "
          f"exact-email baseline: precision {baseline_precision:.4f}, "
          f"recall {baseline_recall:.4f}")
    assert precision >= 0.97
    assert recall > baseline_recall


def test_segments_cover_buyers_and_everyone(built_warehouse):
    assert query(built_warehouse, """
        select count(distinct customer_id) = (select count(*) from marts.customers)
        from marts.customer_segments where segment_type = 'lifecycle'""") == [(True,)]
    assert query(built_warehouse, """
        select count(distinct customer_id) = (
            select count(*) from marts.customers where orders_count > 0)
        from marts.customer_segments where segment_type = 'rfm'""") == [(True,)]
    declared = dict(query(built_warehouse, """
        select segment_name, count(*) from marts.customer_segments
        where segment_type = 'declared' group by 1"""))
    assert declared["VIP"] == query(
        built_warehouse, "select count(*) from marts.customers where net_revenue >= 5000000")[0][0]


def test_a_declared_segment_appears_without_editing_a_model(built_warehouse, tmp_path):
    # The built sample is shared by other suites: rebuild a copy with other segments.
    shutil.copytree(built_warehouse.parent, tmp_path / "warehouse")
    built_warehouse = tmp_path / "warehouse" / built_warehouse.name
    segments = [{"name": "Đà Nẵng buyers", "condition": "city = 'Đà Nẵng' and orders_count > 0"}]

    run_transform(built_warehouse, {"declared_segments": segments})

    members = query(built_warehouse, """
        select count(*) from marts.customer_segments
        where segment_type = 'declared' and segment_name = 'Đà Nẵng buyers'""")[0][0]
    expected = query(built_warehouse, "select count(*) from marts.customers "
                                      "where city = 'Đà Nẵng' and orders_count > 0")[0][0]
    assert members == expected > 0
    assert query(built_warehouse, "select count(*) from marts.customer_segments "
                                  "where segment_name = 'VIP'") == [(0,)]


def test_the_models_unit_tests_pass(built_warehouse, tmp_path):
    # Nightly builds leave dbt's unit tests out (they check logic on fixed inputs, not the
    # night's data); CI runs every one of them here, against a copy of the built warehouse's
    # relations (dbt opens it for writing, and other suites read the original meanwhile).
    shutil.copytree(built_warehouse.parent, tmp_path / "warehouse")
    built_warehouse = tmp_path / "warehouse" / built_warehouse.name
    result = dbt_unit_tests(built_warehouse, target_path=tmp_path / "dbt_unit")
    unit_tests = [node for node in result.result if node.node.resource_type == "unit_test"]
    assert len(unit_tests) >= 10
    assert {str(node.status) for node in unit_tests} == {"pass"}
