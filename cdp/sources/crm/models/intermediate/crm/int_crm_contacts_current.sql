-- The CRM contacts every model after staging reads: the latest version of each contact, less
-- those a deletion list retired (int_records_retired). Their raw versions stay as history.
with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

retired as (
    select * from {{ ref('int_records_retired') }}
    where source = 'crm'
),

current_contacts as (
    select *
    from contacts
    where not exists (
        select 1 from retired
        where retired.record_id = contacts.contact_id
    )
)

-- Every column of stg_crm__contacts as it is: the models after staging read this in its place,
-- so a column added there reaches them without a list to keep in step here.
select * from current_contacts  -- noqa: AM04
