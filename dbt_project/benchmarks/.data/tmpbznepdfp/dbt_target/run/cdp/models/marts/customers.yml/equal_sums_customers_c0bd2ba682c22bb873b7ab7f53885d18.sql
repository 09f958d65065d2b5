
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
with
this_side as (select coalesce(sum(net_revenue), 0) as total from "bench"."marts"."customers"),
other_side as (select coalesce(sum(case when customer_id is not null then net_revenue end), 0) as total from "bench"."marts"."orders")
select this_side.total as model_total, other_side.total as compare_total
from this_side cross join other_side
where abs(this_side.total - other_side.total) > 0.01

  
  
      
    ) dbt_internal_test