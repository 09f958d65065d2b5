-- Pairs of records an analyst said are never one customer (`never_link` overrides), as record
-- nodes: the graph resolution cuts whatever chain would join them at its weakest link.
with

overrides as (
    select * from {{ ref('int_identity_overrides') }}
),

records as (
    select * from {{ ref('int_records_unioned') }}
)

select
    left_records.record_node as left_record_node,
    right_records.record_node as right_record_node,
    overrides.reason
from overrides
inner join records as left_records on overrides.left_record_key = left_records.record_key
inner join records as right_records on overrides.right_record_key = right_records.record_key
where overrides.action = 'never_link' and left_records.record_node <> right_records.record_node
