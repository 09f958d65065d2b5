-- Why records are together: one row per link between a record and an identifier value.
-- Records that share a linked value (directly or through a chain) are one customer;
-- `cdp explain` reads this table.
with

links as (
    select * from {{ ref('int_identity_links') }}
)

select
    customer_id,
    source,
    record_id,
    identifier_type,
    identifier_value,
    link_rule,
    first_seen_at,
    last_seen_at
from links
