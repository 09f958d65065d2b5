-- One row per web event (every enabled source's, kind `web_events`) with its session
-- (int_web_event_sessions, numbered incrementally) and its customer (tonight's identity).
--
-- Incremental, device by device (`device_key`: the anonymous id, '' for the events that came
-- without one): a build replaces every row of each device of which something changed since
-- the last build, and nothing else:
--   - its events: their count, checksum or newest load in int_web_event_sessions (new events,
--     one deleted by retention, a time corrected, a later version of one: another page, a
--     fixed property);
--   - its customer: identity moved the device to another customer (a merge, a split, an
--     override) or gave it one;
--   - it has no event left: one marker row (event_id NULL) replaces its rows. Markers stay (one
--     per device ever emptied, until a full refresh): the marts built from this table read
--     them to drop the device's rows too. Every reader filters `event_id is not null`.
-- Each replaced row carries `_rebuilt_at`, this build's start: the marts rebuild the devices
-- of the rows newer than their own newest.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['source', 'device_key']) }}

with

-- Each CTE below that reads a large relation is read once: a CTE read twice is materialized,
-- and scanning ten million materialized events costs more than reading the table again
-- (measured at a million customers: 13 of the 16 s of this model's build).
events as (
    select
        *,
        coalesce(anonymous_id, '') as device_key
    from ({{ union_source_models('web_events') }}) as web_events
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

-- Every device now: its events' count and checksum, and its customer.
devices as (
    select
        device_sessions.source,
        device_sessions.device_key,
        device_sessions.device_events,
        device_sessions.device_checksum,
        device_sessions.device_newest_load,
        clustered.customer_id
    from (
        select
            source,
            device_key,
            any_value(device_events) as device_events,
            any_value(device_checksum) as device_checksum,
            any_value(device_newest_load) as device_newest_load
        from {{ ref('int_web_event_sessions') }}
        where event_id is not null
        group by source, device_key
    ) as device_sessions
    left join clustered
        on
            device_sessions.source = clustered.source
            and device_sessions.device_key = clustered.record_id
),

{% if is_incremental() %}
    stored as (
        select
            source,
            device_key,
            any_value(device_events) as device_events,
            any_value(device_checksum) as device_checksum,
            any_value(device_newest_load) as device_newest_load,
            any_value(customer_id) as customer_id
        from {{ this }}
        where event_id is not null
        group by source, device_key
    ),
{% endif %}

changed as (
    select
        source,
        device_key
    from ({{ keys_changed('devices', 'stored', ['source', 'device_key'],
                          ['device_events', 'device_checksum', 'device_newest_load',
                           'customer_id']) }}) as differing
),

gone as (
    {{ keys_gone('devices', 'stored', ['source', 'device_key']) }}
),

-- The sessions of the changed devices only: the join below then never holds all of history.
changed_sessions as (
    select sessions.*
    from {{ ref('int_web_event_sessions') }} as sessions
    inner join changed
        on sessions.source = changed.source and sessions.device_key = changed.device_key
    where sessions.event_id is not null
),

sessionized as (
    select
        events.event_id,
        devices.customer_id,
        sessions.session_id,
        events.anonymous_id,
        events.user_id,
        events.event_type,
        events.event_name,
        events.occurred_at,
        events.received_at,
        events.page_path,
        events.page_url,
        events.page_title,
        events.page_referrer,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign,
        events.order_id,
        events.order_revenue,
        events.currency,
        events.properties,
        events.source,
        events.device_key,
        devices.device_events,
        devices.device_checksum,
        devices.device_newest_load,
        events._dlt_load_id
    from events
    inner join changed
        on events.source = changed.source and events.device_key = changed.device_key
    left join changed_sessions as sessions
        on events.source = sessions.source and events.event_id = sessions.event_id
    left join devices
        on events.source = devices.source and events.device_key = devices.device_key
),

-- A device with no event left.
markers as (
    select
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as event_type,
        cast(null as {{ dbt.type_string() }}) as event_name,
        cast(null as {{ type_timestamp_utc() }}) as occurred_at,
        cast(null as {{ type_timestamp_utc() }}) as received_at,
        cast(null as {{ dbt.type_string() }}) as page_path,
        cast(null as {{ dbt.type_string() }}) as page_url,
        cast(null as {{ dbt.type_string() }}) as page_title,
        cast(null as {{ dbt.type_string() }}) as page_referrer,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as order_id,
        null as order_revenue,
        cast(null as {{ dbt.type_string() }}) as currency,
        null as properties,
        gone.source,
        gone.device_key,
        0 as device_events,
        null as device_checksum,
        null as device_newest_load,
        cast(null as {{ dbt.type_string() }}) as _dlt_load_id
    from gone
)

select
    *,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ type_timestamp_utc() }})
        as _rebuilt_at
from (
    select * from sessionized
    union all
    select * from markers
) as rebuilt
