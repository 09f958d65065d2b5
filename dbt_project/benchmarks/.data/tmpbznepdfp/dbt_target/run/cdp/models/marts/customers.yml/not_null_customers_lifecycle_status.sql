
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select lifecycle_status
from "bench"."marts"."customers"
where lifecycle_status is null



  
  
      
    ) dbt_internal_test