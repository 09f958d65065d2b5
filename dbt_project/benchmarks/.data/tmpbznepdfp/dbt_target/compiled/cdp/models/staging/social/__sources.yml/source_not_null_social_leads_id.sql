
    
    



select id
from "bench"."raw_social"."leads"
where id is null


