-- Without Python models, every distinct usable name counts as a person (an upper bound: the
-- Python engine groups spellings of one name into one person).
with

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

names as (
    select * from {{ ref('int_record_names_unioned') }}
)

select
    clustered.customer_id,
    count(distinct names.name_key) as distinct_names_count,
    count(distinct names.name_key) as people_named_count
from clustered
inner join names on clustered.record_key = names.record_key and names.is_usable
group by clustered.customer_id
