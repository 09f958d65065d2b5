
    
    

with all_values as (

    select
        segment_type as value_field,
        count(*) as n_records

    from "bench"."marts"."customer_segments"
    group by segment_type

)

select *
from all_values
where value_field not in (
    'rfm','lifecycle','declared'
)


