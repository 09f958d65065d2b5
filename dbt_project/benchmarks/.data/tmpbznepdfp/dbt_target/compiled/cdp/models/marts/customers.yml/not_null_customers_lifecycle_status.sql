
    
    



select lifecycle_status
from "bench"."marts"."customers"
where lifecycle_status is null


