"""Checks on the published marts: the contract BI tools and marketing rely on."""

import great_expectations as gx

from data_quality.check import QualityCheck
from data_quality.thresholds import Thresholds

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"
E164_PATTERN = r"^\+[1-9][0-9]{7,14}$"


def mart_checks(thresholds: Thresholds) -> list[QualityCheck]:
    return [
        QualityCheck(
            name="marts_customers_ids_unique",
            asset=("marts", "customers"),
            description="One row per customer: customer_id is unique and never NULL.",
            blocking=True,
            query="select customer_id from marts.customers",
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeUnique(column="customer_id"),
                gx.expectations.ExpectColumnValuesToNotBeNull(column="customer_id"),
            ],
        ),
        QualityCheck(
            name="marts_customers_contacts_well_formed",
            asset=("marts", "customers"),
            description="Best emails are well-formed addresses; best phones are E.164.",
            blocking=True,
            query="select customer_id, email, phone from marts.customers",
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToMatchRegex(column="email",
                                                               regex=EMAIL_PATTERN),
                gx.expectations.ExpectColumnValuesToMatchRegex(column="phone",
                                                               regex=E164_PATTERN),
            ],
        ),
        QualityCheck(
            name="marts_customers_not_over_merged",
            asset=("marts", "customers"),
            description=f"No customer holds more than {thresholds.max_records_per_customer} "
                        "records (CDP_MAX_RECORDS_PER_CUSTOMER): more means a shared value "
                        "joined strangers.",
            blocking=True,
            query="select customer_id, records_count from marts.customers",
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column="records_count", min_value=1,
                    max_value=thresholds.max_records_per_customer,
                ),
            ],
        ),
        QualityCheck(
            name="marts_customer_records_all_mapped",
            asset=("marts", "customer_records"),
            description="Every source record in the raw tables maps to exactly one customer.",
            blocking=True,
            query="""
                with raw_records as (
                    select distinct 'website' as source, anonymous_id as record_id
                    from raw_website.events where anonymous_id is not null
                    union all select distinct 'crm', record_id from raw_crm.contacts
                    union all select distinct 'social', id from raw_social.leads
                    union all select distinct 'pos', name from raw_pos.order_lines
                ),
                mapped as (
                    select source, record_id, count(*) as customers
                    from marts.customer_records group by source, record_id
                )
                select raw_records.source, raw_records.record_id,
                    coalesce(mapped.customers, 0) as customers
                from raw_records
                left join mapped using (source, record_id)
            """,
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(column="customers", min_value=1,
                                                              max_value=1),
            ],
        ),
        QualityCheck(
            name="marts_orders_revenue_reconciled",
            asset=("marts", "orders"),
            description="Net revenue in orders and in customers equals the raw Shopify totals "
                        "(each order's newest version, total minus refunds).",
            blocking=True,
            query="""
                with first_lines as (
                    -- Files of one load are read in name order: the later file is newer.
                    select total, refunded_amount, row_number() over (
                        partition by name
                        order by cast(_dlt_load_id as double) desc, _source_file desc
                    ) as newest
                    from raw_pos.order_lines where line_position = 1
                ),
                raw_net as (
                    select coalesce(sum(total - coalesce(refunded_amount, 0)), 0) as amount
                    from first_lines where newest = 1
                )
                select 'orders' as mart,
                    (select coalesce(sum(net_revenue), 0) from marts.orders) - raw_net.amount
                        as difference
                from raw_net
                union all
                select 'customers',
                    (select coalesce(sum(net_revenue), 0) from marts.customers) - raw_net.amount
                from raw_net
            """,
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(column="difference",
                                                              min_value=-0.01, max_value=0.01),
            ],
        ),
        QualityCheck(
            name="marts_customer_segments_shares_bounded",
            asset=("marts", "customer_segments"),
            description=f"No RFM or lifecycle segment holds more than "
                        f"{thresholds.max_segment_share:.0%} of its customers "
                        "(CDP_MAX_SEGMENT_SHARE): a segment holding everyone is a broken rule.",
            blocking=False,
            query="""
                select segment_type, segment_name, count(*) * 1.0 / sum(count(*)) over (
                    partition by segment_type) as share
                from marts.customer_segments
                where segment_type in ('rfm', 'lifecycle')
                group by segment_type, segment_name
            """,
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column="share", min_value=0, max_value=thresholds.max_segment_share,
                ),
            ],
        ),
    ]
