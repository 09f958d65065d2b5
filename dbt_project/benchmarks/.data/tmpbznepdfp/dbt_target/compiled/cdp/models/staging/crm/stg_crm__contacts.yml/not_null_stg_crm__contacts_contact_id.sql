
    
    



select contact_id
from "bench"."staging"."stg_crm__contacts"
where contact_id is null


