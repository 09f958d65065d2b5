
    
    



select order_id
from "bench"."staging"."stg_pos__orders"
where order_id is null


