
    
    



select customer_id
from "bench"."marts"."customers"
where customer_id is null


