
    
    

with all_values as (

    select
        match_type as value_field,
        count(*) as n_records

    from "bench"."reference"."identifier_blocklist"
    group by match_type

)

select *
from all_values
where value_field not in (
    'exact','regex'
)


