
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select line_position
from "bench"."staging"."stg_pos__order_lines"
where line_position is null



  
  
      
    ) dbt_internal_test