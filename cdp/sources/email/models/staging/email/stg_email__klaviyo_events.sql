-- Klaviyo's email events, named by their metric. Incremental: the events a load since the
-- last build brought (an event never changes; delete+insert keeps a re-fetched one once).
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='event_id') }}

with

source as (
    {{ versions_to_stage(source('email', 'klaviyo_events'), 'id') }}
),

latest_versions as (
    {{ latest_version('source', 'id') }}
),

metrics as (
    select
        id as metric_id,
        {{ json_text('attributes', ['name']) }} as metric_name
    from ({{ latest_version(source('email', 'klaviyo_metrics'), 'id') }}) as metric_versions
),

renamed as (
    select
        latest_versions.id as event_id,
        {{ json_text('latest_versions.relationships', ['profile', 'data', 'id']) }} as profile_id,
        {{ json_text('latest_versions.relationships', ['metric', 'data', 'id']) }} as metric_id,
        {%- set occurred = "try_cast(" ~ json_text('latest_versions.attributes', ['datetime'])
                           ~ " as timestamptz)" %}
        {{ plausible_timestamp(occurred, 'latest_versions._dlt_load_id') }} as occurred_at,
        {{ json_text('latest_versions.attributes', ['event_properties', '$message']) }}
            as campaign_id,
        lower({{ json_text('latest_versions.attributes', ['event_properties', 'Bounce Type']) }})
            as bounce_type,
        latest_versions._source_file,
        latest_versions._dlt_load_id
    from latest_versions
),

named as (
    select
        renamed.*,
        metrics.metric_name,
        case metrics.metric_name
            when 'Received Email' then 'delivered'
            when 'Opened Email' then 'opened'
            when 'Clicked Email' then 'clicked'
            when 'Bounced Email' then 'bounced'
            when 'Marked Email as Spam' then 'complained'
            when 'Unsubscribed' then 'unsubscribed'
            when 'Unsubscribed from Email Marketing' then 'unsubscribed'
        end as event_type
    from renamed
    left join metrics on renamed.metric_id = metrics.metric_id
)

select * from named
