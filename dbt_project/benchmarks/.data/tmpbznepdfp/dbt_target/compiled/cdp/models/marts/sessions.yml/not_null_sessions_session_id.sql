
    
    



select session_id
from "bench"."marts"."sessions"
where session_id is null


