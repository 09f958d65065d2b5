-- What each destination must be sent tonight: the audience's members it does not hold yet
-- ('add') and the people it holds who are no longer members ('remove': they left the condition,
-- withdrew consent or were restricted), against what its last successful delivery left there. A
-- member whose email or phone changed is removed under the old ones and added under the new. A
-- failed delivery changes nothing, so the same changes are sent again next night.
{%- set audiences = declared_audiences() %}
with

members as (
    select * from {{ ref('audience_members') }}
),

delivered as (
    {{ delivered_audience_members() }}
),

destinations as (
    {%- set pairs = [] %}
    {%- for audience in audiences %}
        {%- for destination in audience.get('destinations', []) %}
            {%- do pairs.append((audience.name, destination)) %}
        {%- endfor %}
    {%- endfor %}
    {%- for audience_name, destination in pairs %}
        select
            {{ sql_string(audience_name) }} as audience_name,
            '{{ destination }}' as destination
        {{- "\n        union all" if not loop.last }}
    {%- else %}
        select
            cast(null as varchar) as audience_name,
            cast(null as varchar) as destination
        where false
    {%- endfor %}
),

wanted as (
    select
        destinations.destination,
        members.audience_name,
        members.customer_id,
        members.email,
        members.phone
    from members
    inner join destinations on members.audience_name = destinations.audience_name
),

adds as (
    -- Members it does not hold, or holds under other identifiers (a new email or phone).
    select
        wanted.destination,
        wanted.audience_name,
        'add' as change,
        wanted.customer_id,
        wanted.email,
        wanted.phone
    from wanted
    left join delivered
        on
            wanted.destination = delivered.destination
            and wanted.audience_name = delivered.audience_name
            and wanted.customer_id = delivered.customer_id
    where
        delivered.customer_id is null
        or wanted.email is distinct from delivered.email
        or wanted.phone is distinct from delivered.phone
),

removes as (
    -- People it holds who are no longer members, and members it holds under identifiers that
    -- changed: sent with the identifiers the destination was given, which it matches on.
    select
        delivered.destination,
        delivered.audience_name,
        'remove' as change,
        delivered.customer_id,
        delivered.email,
        delivered.phone
    from delivered
    left join wanted
        on
            delivered.destination = wanted.destination
            and delivered.audience_name = wanted.audience_name
            and delivered.customer_id = wanted.customer_id
    where
        wanted.customer_id is null
        or wanted.email is distinct from delivered.email
        or wanted.phone is distinct from delivered.phone
),

record_versions as (
    -- The version of each destination's record of an audience at this build: the webhook's
    -- idempotency keys are made with it, so they stay the same through the night's retries.
    {{ delivery_record_versions() }}
),

changes as (
    select * from adds
    union all
    select * from removes
)

select
    changes.*,
    cast(coalesce(record_versions.version, 0) as varchar) as delivery_record_version
from changes
left join record_versions
    on
        changes.destination = record_versions.destination
        and changes.audience_name = record_versions.audience_name
