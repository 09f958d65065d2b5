-- One row per declared audience: how many customers its condition selects, how many are
-- members, and how many were left out for each reason: under a processing restriction, an
-- email address unsubscribed, complained (spam) or hard-bounced, or for want of consent.
{%- set audiences = declared_audiences() %}
with

candidates as (
    select * from {{ ref('int_audience_candidates') }}
),

declared as (
    {%- for audience in audiences %}
        select
            {{ sql_string(audience.name) }} as audience_name,
            '{{ audience.consent_purpose }}' as consent_purpose,
            '{{ audience.get('destinations', []) | join(', ') }}' as destinations
        {{- "\n        union all" if not loop.last }}
    {%- else %}
        select
            cast(null as varchar) as audience_name,
            cast(null as varchar) as consent_purpose,
            cast(null as varchar) as destinations
        where false
    {%- endfor %}
),

counted as (
    select
        audience_name,
        count(*) as selected_count,
        count(*) filter (where exclusion_reason is null) as members_count,
        count(*) filter (where exclusion_reason = 'no_consent') as excluded_without_consent_count,
        count(*) filter (
            where exclusion_reason = 'processing_restricted'
        ) as excluded_restricted_count,
        count(*) filter (
            where exclusion_reason = 'email_unsubscribed'
        ) as excluded_unsubscribed_count,
        count(*) filter (where exclusion_reason = 'email_complained') as excluded_complained_count,
        count(*) filter (where exclusion_reason = 'email_bounced') as excluded_bounced_count
    from candidates
    group by audience_name
)

select
    declared.audience_name,
    declared.consent_purpose,
    declared.destinations,
    coalesce(counted.selected_count, 0) as selected_count,
    coalesce(counted.members_count, 0) as members_count,
    coalesce(counted.excluded_without_consent_count, 0) as excluded_without_consent_count,
    coalesce(counted.excluded_restricted_count, 0) as excluded_restricted_count,
    coalesce(counted.excluded_unsubscribed_count, 0) as excluded_unsubscribed_count,
    coalesce(counted.excluded_complained_count, 0) as excluded_complained_count,
    coalesce(counted.excluded_bounced_count, 0) as excluded_bounced_count
from declared
left join counted on declared.audience_name = counted.audience_name
