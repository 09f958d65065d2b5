
    
    



select customer_id
from "bench"."marts"."sessions"
where customer_id is null


