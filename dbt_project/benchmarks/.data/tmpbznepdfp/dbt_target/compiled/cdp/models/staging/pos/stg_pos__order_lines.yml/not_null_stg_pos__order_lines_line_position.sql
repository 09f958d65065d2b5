
    
    



select line_position
from "bench"."staging"."stg_pos__order_lines"
where line_position is null


