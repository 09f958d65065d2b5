
    
    



select order_id
from "bench"."staging"."stg_pos__order_lines"
where order_id is null


