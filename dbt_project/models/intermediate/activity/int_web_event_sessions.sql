-- Each web event's session: a new one after `session_timeout_minutes` without an event on the
-- device. Incremental: a build numbers again only the devices whose events changed since the
-- last build (their count, a checksum of their ids and times, or their newest load: new
-- events, a later version of one, an event deleted), every event of each of them, and replaces
-- their rows; a device none of whose events is left (retention, erasure) leaves a marker row
-- that replaces its rows and that the post-hook deletes. Nothing here depends on who the
-- device belongs to: int_events_sessionized adds the customer.
--
-- An event whose time is no plausible moment (occurred_at NULL: see stg_website__events) cannot
-- be placed among the device's others: it belongs to no session, and, sorted after them, it
-- shifts no other event's session.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['source', 'device_key'],
          post_hook="delete from {{ this }} where event_id is null") }}

with

events as (
    select
        source,
        -- Events without a device id are one device, as the window below has them; a key
        -- that is never NULL lets delete+insert replace their rows too.
        coalesce(anonymous_id, '') as device_key,
        anonymous_id,
        event_id,
        occurred_at,
        _dlt_load_id
    from ({{ union_source_models('web_events') }}) as web_events
),

devices as (
    select
        source,
        device_key,
        count(*) as device_events,
        {{ rows_checksum(['event_id', 'occurred_at']) }} as device_checksum,
        -- The newest load that brought a version of one of its events: a later version (another
        -- page, a fixed property) changes no session, but int_events_sessionized must take it.
        max(cast(_dlt_load_id as double)) as device_newest_load
    from events
    group by source, device_key
),

{% if is_incremental() %}
    stored as (
        select distinct source, device_key, device_events, device_checksum, device_newest_load
        from {{ this }}
    ),
{% endif %}

changed as (
    {{ keys_changed('devices', 'stored', ['source', 'device_key'],
                    ['device_events', 'device_checksum', 'device_newest_load']) }}
),

gone as (
    {{ keys_gone('devices', 'stored', ['source', 'device_key']) }}
),

to_number as (
    select
        events.*,
        changed.device_events,
        changed.device_checksum,
        changed.device_newest_load
    from events
    inner join changed
        on events.source = changed.source and events.device_key = changed.device_key
),

with_gaps as (
    select
        *,
        case
            when
                lag(occurred_at) over (
                    partition by source, anonymous_id order by occurred_at asc nulls last, event_id asc
                ) is null then 1
            when occurred_at - lag(occurred_at) over (
                partition by source, anonymous_id order by occurred_at asc nulls last, event_id asc
            ) > interval '{{ var("session_timeout_minutes") }} minutes' then 1
            else 0
        end as starts_session
    from to_number
),

numbered as (
    select
        *,
        sum(starts_session) over (
            partition by source, anonymous_id
            order by occurred_at asc nulls last, event_id asc
            rows unbounded preceding
        ) as session_number
    from with_gaps
)

select
    source,
    device_key,
    event_id,
    case
        when occurred_at is not null
            then 'ses_' || substr(md5(anonymous_id || ':' || session_number), 1, 16)
    end as session_id,
    device_events,
    device_checksum,
    device_newest_load
from numbered

union all

-- A device with no event left: a marker that makes delete+insert drop its rows.
select
    source,
    device_key,
    null as event_id,
    null as session_id,
    0 as device_events,
    null as device_checksum,
    null as device_newest_load
from gone
