
    
    



select identifier_type
from "bench"."reference"."identifier_blocklist"
where identifier_type is null


