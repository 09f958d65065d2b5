with

events as (
    select * from "bench"."intermediate"."int_events_sessionized"
)

select * from events