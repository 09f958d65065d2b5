
    
    



select lead_id
from "bench"."staging"."stg_social__leads"
where lead_id is null


