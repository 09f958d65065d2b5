
    
    

with all_values as (

    select
        rfm_segment as value_field,
        count(*) as n_records

    from "bench"."marts"."customers"
    group by rfm_segment

)

select *
from all_values
where value_field not in (
    'Champions','Loyal','Potential loyalists','New customers','Need attention','Promising','At risk','Hibernating'
)


