
    
    



select customer_id
from "bench"."marts"."customer_segments"
where customer_id is null


