
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select event_id
from "bench"."intermediate"."int_events_sessionized"
where event_id is null



  
  
      
    ) dbt_internal_test