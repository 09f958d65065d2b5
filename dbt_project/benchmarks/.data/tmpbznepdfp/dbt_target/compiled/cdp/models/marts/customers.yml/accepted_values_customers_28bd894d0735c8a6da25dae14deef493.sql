
    
    

with all_values as (

    select
        lifecycle_status as value_field,
        count(*) as n_records

    from "bench"."marts"."customers"
    group by lifecycle_status

)

select *
from all_values
where value_field not in (
    'new','active','at risk','churned'
)


