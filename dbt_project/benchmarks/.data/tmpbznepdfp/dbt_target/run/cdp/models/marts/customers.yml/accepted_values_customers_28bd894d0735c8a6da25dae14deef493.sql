
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

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



  
  
      
    ) dbt_internal_test