
    
    



select customer_id
from "bench"."marts"."events"
where customer_id is null


