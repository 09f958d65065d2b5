
select order_id, line_position, count(*) as occurrences
from "bench"."staging"."stg_pos__order_lines"
group by order_id, line_position
having count(*) > 1
