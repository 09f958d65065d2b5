
    

    create  table
      "bench"."marts"."events__dbt_tmp"
  
    
    as (
      with

events as (
    select * from "bench"."intermediate"."int_events_sessionized"
)

select * from events
    );
    
  