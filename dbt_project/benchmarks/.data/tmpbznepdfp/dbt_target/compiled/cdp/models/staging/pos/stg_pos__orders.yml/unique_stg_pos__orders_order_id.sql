
    
    

select
    order_id as unique_field,
    count(*) as n_records

from "bench"."staging"."stg_pos__orders"
where order_id is not null
group by order_id
having count(*) > 1


