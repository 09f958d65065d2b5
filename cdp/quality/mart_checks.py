"""Checks on the published marts: the contract BI tools and marketing rely on."""

import great_expectations as gx

from cdp.privacy.anonymous_sales import ERASED_ORDER_PREFIX
from cdp.quality.check import QualityCheck
from cdp.quality.thresholds import Thresholds
from cdp.sources.registry import enabled_sources
from cdp.sources.source import Source

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"
E164_PATTERN = r"^\+[1-9][0-9]{7,14}$"


# An erased person's order, kept as a sale by nobody (cdp/privacy/erasure.py renames it).
_ANONYMOUS_SALE = f"starts_with(name, '{ERASED_ORDER_PREFIX}')"

# Marts that, once they hold rows, always do (data_issues, identity_exclusions,
# identity_links_refused and customer_merges may rightly be empty).
_NEVER_EMPTY_MARTS = ("customers", "customer_records", "identity_graph", "identity_links",
                      "orders", "order_lines", "events", "sessions", "customer_segments")


def _not_shrunk(mart: str, thresholds: Thresholds) -> QualityCheck:
    share = thresholds.max_shrink_share
    allowed = " This run allows it (--allow-shrink)." if thresholds.allow_shrink else ""
    return QualityCheck(
        name=f"marts_{mart}_not_shrunk",
        asset=("marts", mart),
        description=f"marts.{mart} has at least {1 - share:.0%} of the rows of the published "
                    f"version (CDP_MAX_SHRINK_SHARE): a collapse is never published unless the "
                    f"run says so (`cdp run --allow-shrink`).{allowed}",
        blocking=True,
        query=f"""
            select published.row_count as published_rows,
                (select count(*) from marts.{mart}) as row_count,
                (select count(*) from marts.{mart}) / published.row_count as share_of_published
            from published_row_counts as published
            where published.relation = 'marts.{mart}' and published.row_count > 0
        """,
        expectations=lambda: [
            gx.expectations.ExpectColumnValuesToBeBetween(
                column="share_of_published",
                min_value=0 if thresholds.allow_shrink else 1 - share,
            ),
        ],
    )


def _raw_records(sources: list[Source]) -> str:
    """Every enabled source's raw record ids, less the records a deletion list retired and the
    anonymous sales of erased people (both in no customer)."""
    selects = [
        f"""select distinct '{source.system}' as source, {record_id} as record_id
            from {source.dataset}.{table}
            where {record_id} is not null
                and not starts_with({record_id}, '{ERASED_ORDER_PREFIX}')
                and {record_id} not in (select record_id from marts.retired_records
                                        where source = '{source.system}')"""
        for source in sources for table, record_id in source.record_ids.items()]
    return "\n union all ".join(selects) or \
        "select null::varchar as source, null::varchar as record_id where false"


def _raw_net_revenue(sources: list[Source]) -> str:
    """The raw net revenue of every enabled source of orders (one row: amount,
    amount_of_customers)."""
    parts = [source.raw_net_revenue_sql.format(anonymous_sale=_ANONYMOUS_SALE)
             for source in sources if source.raw_net_revenue_sql]
    if not parts:
        return "select 0 as amount, 0 as amount_of_customers"
    stacked = "\n union all ".join(f"select * from ({part})" for part in parts)
    return f"""select sum(amount) as amount, sum(amount_of_customers) as amount_of_customers
        from ({stacked})"""


def _staged_records(sources: list[Source]) -> str:
    """Each enabled source's staged records with the load that brought them."""
    selects = [f"select '{source.system}' as source, _dlt_load_id from {staged.relation}"
               for source in sources for staged in source.staged_records]
    return "\n union all ".join(selects) or \
        "select null::varchar as source, null::varchar as _dlt_load_id where false"


def mart_checks(thresholds: Thresholds, sources: list[Source] | None = None) -> list[QualityCheck]:
    """The checks of the marts; those that reconcile with the raw tables read the enabled
    sources (`sources`, else the registry's)."""
    sources = enabled_sources() if sources is None else sources
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
            record_columns=("customer_id",),
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToMatchRegex(column="email",
                                                               regex=EMAIL_PATTERN),
                gx.expectations.ExpectColumnValuesToMatchRegex(column="phone",
                                                               regex=E164_PATTERN),
            ],
        ),
        QualityCheck(
            name="marts_customers_size_not_an_outlier",
            asset=("marts", "customers"),
            description="No customer is an outlier of the population's sizes: at most "
                        f"max({thresholds.customer_size_floor:g}, the "
                        f"{thresholds.customer_size_quantile:g} quantile of records per "
                        f"customer x {thresholds.customer_size_factor:g}) records "
                        "(CDP_CUSTOMER_SIZE_FLOOR, _QUANTILE, _FACTOR). A larger one is a shared "
                        "value that joined strangers.",
            blocking=True,
            query=f"""
                with sizes as (select customer_id, records_count from marts.customers),
                population as (
                    select greatest({thresholds.customer_size_floor},
                        quantile_cont(records_count, {thresholds.customer_size_quantile})
                        * {thresholds.customer_size_factor}) as size_limit
                    from sizes
                )
                select sizes.customer_id, sizes.records_count, population.size_limit
                from sizes cross join population
            """,
            record_columns=("customer_id",),
            expectations=lambda: [
                gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="size_limit", column_B="records_count", or_equal=True),
            ],
        ),
        QualityCheck(
            name="marts_customers_few_multi_person",
            asset=("marts", "customers"),
            description="At most "
                        f"{thresholds.max_multi_person_record_share:.0%} of records sit in "
                        "customers whose records carry two or more different people's names "
                        "(CDP_MAX_MULTI_PERSON_RECORD_SHARE): more means households or "
                        "strangers are being merged.",
            blocking=True,
            query="""
                select coalesce(sum(records_count) filter (where people_named_count >= 2), 0)
                    / greatest(sum(records_count), 1) as multi_person_record_share
                from marts.customers
            """,
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column="multi_person_record_share", min_value=0,
                    max_value=thresholds.max_multi_person_record_share),
            ],
        ),
        QualityCheck(
            name="marts_customer_records_all_mapped",
            asset=("marts", "customer_records"),
            description="Every source record in the raw tables maps to exactly one customer; an "
                        "erased person's order, kept as an anonymous sale (`erased-…`), and a "
                        "record a deletion list retired (marts.retired_records) map to none.",
            blocking=True,
            query=f"""
                with raw_records as ({_raw_records(sources)}),
                mapped as (
                    select source, record_id, count(*) as customers
                    from marts.customer_records group by source, record_id
                )
                select raw_records.source, raw_records.record_id,
                    coalesce(mapped.customers, 0) as customers
                from raw_records
                left join mapped using (source, record_id)
            """,
            record_columns=("source", "record_id"),
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(column="customers", min_value=1,
                                                              max_value=1),
            ],
        ),
        QualityCheck(
            name="marts_orders_revenue_reconciled",
            asset=("marts", "orders"),
            description="Net revenue in orders equals the raw Shopify totals (each order's "
                        "newest version, total minus refunds), and in customers the same less "
                        "the anonymous sales of erased people (`erased-…`, in no customer), "
                        "leaving out the amounts set aside as wrong at the source "
                        "(marts.data_issues).",
            blocking=True,
            query=f"""
                with raw_net as ({_raw_net_revenue(sources)})
                select 'orders' as mart,
                    (select coalesce(sum(net_revenue), 0) from marts.orders) - raw_net.amount
                        as difference
                from raw_net
                union all
                select 'customers',
                    (select coalesce(sum(net_revenue), 0) from marts.customers)
                    - raw_net.amount_of_customers
                from raw_net
            """,
            record_columns=("mart",),
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(column="difference",
                                                              min_value=-0.01, max_value=0.01),
            ],
        ),
        QualityCheck(
            name="marts_data_issues_not_systemic",
            asset=("marts", "data_issues"),
            description=f"Bad values are set aside one by one; but when more than "
                        f"{thresholds.max_bad_value_share:.0%} of one night's records carry a "
                        f"bad value in a column (CDP_MAX_BAD_VALUE_SHARE; counted once at least "
                        f"{thresholds.min_bad_values_for_share} are bad, CDP_MIN_BAD_VALUES), "
                        "the export itself changed: publishing stops until someone looks.",
            blocking=True,
            query=f"""
                with records as ({_staged_records(sources)}),
                newest as (
                    select source, max(cast(_dlt_load_id as double)) as load_id
                    from records group by source
                ),
                loaded as (
                    select records.source, count(*) as records
                    from records
                    inner join newest on records.source = newest.source
                        and cast(records._dlt_load_id as double) = newest.load_id
                    group by records.source
                ),
                bad as (
                    select issues.source, issues.column_name, count(*) as bad_values
                    from marts.data_issues as issues
                    inner join newest on issues.source = newest.source
                        and cast(issues._dlt_load_id as double) = newest.load_id
                    group by issues.source, issues.column_name
                )
                select bad.source || '.' || bad.column_name as source_column, bad.bad_values,
                    loaded.records, bad.bad_values / loaded.records as bad_share
                from bad
                inner join loaded on bad.source = loaded.source
                where bad.bad_values >= {thresholds.min_bad_values_for_share}
            """,
            record_columns=("source_column",),
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column="bad_share", max_value=thresholds.max_bad_value_share,
                ),
            ],
        ),
        QualityCheck(
            name="marts_not_emptied",
            asset=("marts", "customers"),
            description="Every mart that holds rows in the published version holds rows now: "
                        "an empty mart is never published over a full one.",
            blocking=True,
            query=f"""
                select relation, published.row_count as published_rows, coalesce(
                    case relation {" ".join(
                        f"when 'marts.{mart}' then (select count(*) from marts.{mart})"
                        for mart in _NEVER_EMPTY_MARTS)}
                    end, 0) as row_count
                from published_row_counts as published
                where relation in ({", ".join(f"'marts.{mart}'" for mart in _NEVER_EMPTY_MARTS)})
                    and published.row_count > 0
            """,
            record_columns=("relation",),
            expectations=lambda: [
                gx.expectations.ExpectColumnValuesToBeBetween(column="row_count", min_value=1),
            ],
        ),
        *(_not_shrunk(mart, thresholds) for mart in ("customers", "orders")),
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
