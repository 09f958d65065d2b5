with

events as (
    select * from {{ ref('int_events_sessionized') }}
)

select * from events
