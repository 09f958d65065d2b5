
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select pattern
from "bench"."reference"."identifier_blocklist"
where pattern is null



  
  
      
    ) dbt_internal_test