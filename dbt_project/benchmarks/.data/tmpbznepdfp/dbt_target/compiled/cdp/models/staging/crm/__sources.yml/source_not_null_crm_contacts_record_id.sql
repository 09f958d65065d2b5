
    
    



select record_id
from "bench"."raw_crm"."contacts"
where record_id is null


