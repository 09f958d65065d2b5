-- Why records are apart: one row per identifier value a record carries but was not linked
-- through, with the refusal and its reason (an excluded value, a value several people share
-- and the record cannot say whose, a cardinality limit). `cdp explain` reads this table.
with

refused as (
    select * from {{ ref('int_identity_links_refused') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
)

select
    clustered.customer_id,
    clustered.source,
    clustered.record_id,
    refused.identifier_type,
    refused.identifier_value,
    refused.refusal,
    refused.reason
from refused
inner join clustered on refused.record_key = clustered.record_key
