-- HubSpot: a Non-marketing contact gets no marketing email and joins no ads audience; an
-- unsubscribed one gets no marketing email.
{{ config(materialized='ephemeral') }}

with

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
),

marketing_status_purposes as (
    select unnest(['email_marketing', 'advertising']) as purpose
),

crm_marketing_status as (
    select
        'crm' as source,
        contacts.contact_id as record_id,
        marketing_status_purposes.purpose,
        case when contacts.is_marketing_contact then 'granted' else 'withdrawn' end as status,
        coalesce(contacts.modified_at, contacts.created_at) as stated_at,
        {{ timestamp_from_unix('contacts._dlt_load_id') }} as loaded_at,
        'HubSpot Marketing contact status: '
        || case
            when contacts.is_marketing_contact then 'Marketing contact'
            else 'Non-marketing contact'
        end as statement
    from contacts
    cross join marketing_status_purposes
    where contacts.is_marketing_contact is not null
),

crm_unsubscribed as (
    select
        'crm' as source,
        contact_id as record_id,
        'email_marketing' as purpose,
        'withdrawn' as status,
        coalesce(modified_at, created_at) as stated_at,
        {{ timestamp_from_unix('_dlt_load_id') }} as loaded_at,
        'HubSpot: unsubscribed from all email' as statement
    from contacts
    where is_unsubscribed_from_all_email
),

unioned as (
    select * from crm_marketing_status
    union all
    select * from crm_unsubscribed
)

select * from unioned
