
select customer_id, segment_type, segment_name, count(*) as occurrences
from "bench"."marts"."customer_segments"
group by customer_id, segment_type, segment_name
having count(*) > 1
