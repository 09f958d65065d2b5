
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

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



  
  
      
    ) dbt_internal_test