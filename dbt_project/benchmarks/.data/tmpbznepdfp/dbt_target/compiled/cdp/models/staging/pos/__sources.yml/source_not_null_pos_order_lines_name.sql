
    
    



select name
from "bench"."raw_pos"."order_lines"
where name is null


