-- Every customer each declared audience's condition selects (`vars: audiences`), with what
-- decides whether they may be delivered: their consent to the audience's purpose, whether
-- their processing is restricted and, for an email audience, whether their address may receive
-- marketing (marts.customer_channel_status). `exclusion_reason` is the first that keeps them
-- out, NULL for a member.
{%- set audiences = declared_audiences() %}
with

customers as (
    select * from {{ ref('customers') }}
),

candidates as (
    {%- for audience in audiences %}
        select
            {{ sql_string(audience.name) }} as audience_name,
            '{{ audience.consent_purpose }}' as consent_purpose,
            customer_id,
            consent_{{ audience.consent_purpose }} as consent_status,
            is_processing_restricted,
            email_channel_status
        from customers
        where {{ audience.condition }}
        {{- "\n        union all" if not loop.last }}
    {%- else %}
        select
            cast(null as varchar) as audience_name,
            cast(null as varchar) as consent_purpose,
            customer_id,
            cast(null as varchar) as consent_status,
            is_processing_restricted,
            email_channel_status
        from customers
        where false
    {%- endfor %}
)

select
    *,
    case
        when is_processing_restricted then 'processing_restricted'
        -- An email audience never reaches an address the email tools say may not get
        -- marketing, whatever consent another source states.
        when consent_purpose = 'email_marketing' and email_channel_status = 'complained'
            then 'email_complained'
        when consent_purpose = 'email_marketing' and email_channel_status = 'unsubscribed'
            then 'email_unsubscribed'
        when consent_purpose = 'email_marketing' and email_channel_status = 'cleaned'
            then 'email_bounced'
        when coalesce(consent_status, 'unknown') != 'granted' then 'no_consent'
    end as exclusion_reason
from candidates
