
    
    



select session_id
from "bench"."intermediate"."int_events_sessionized"
where session_id is null


