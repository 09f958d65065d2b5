
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select name
from "bench"."raw_pos"."order_lines"
where name is null



  
  
      
    ) dbt_internal_test