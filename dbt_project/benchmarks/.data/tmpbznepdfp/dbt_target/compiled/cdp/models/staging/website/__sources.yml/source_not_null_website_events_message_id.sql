
    
    



select message_id
from "bench"."raw_website"."events"
where message_id is null


