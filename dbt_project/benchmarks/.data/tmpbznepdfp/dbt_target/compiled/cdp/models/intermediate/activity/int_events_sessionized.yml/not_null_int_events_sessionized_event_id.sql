
    
    



select event_id
from "bench"."intermediate"."int_events_sessionized"
where event_id is null


