
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select customer_id, segment_type, segment_name, count(*) as occurrences
from "bench"."marts"."customer_segments"
group by customer_id, segment_type, segment_name
having count(*) > 1

  
  
      
    ) dbt_internal_test