
    
    



select pattern
from "bench"."reference"."identifier_blocklist"
where pattern is null


