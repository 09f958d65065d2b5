
    
    



select event_id
from "bench"."marts"."events"
where event_id is null


