
    
    



select segment_name
from "bench"."marts"."customer_segments"
where segment_name is null


