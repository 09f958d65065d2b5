-- Every email a customer's own records carry, unwrapped (`mailto:`, `"Name" <...>`, quotes: macro
-- unwrap_email) and lower-cased but otherwise as typed (dots and `+tags` kept), and the one the
-- destinations are sent: a spelling of the golden-record email. The golden record folds an
-- address to match people ("an.nguyen+shop@gmail.com" and "annguyen@gmail.com" are one
-- mailbox); a platform matches the address it knows, which is the one the person types: the
-- spelling on most of their records, then the latest. The other emails are kept for erasure,
-- which must find every form an upload file may hold.
with

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

golden as (
    select * from {{ ref('int_customer_attributes_survived') }}
),

written as (
    -- Every enabled source's records' attributes (kind `record_attributes`): emails as typed.
    {{ union_source_models('record_attributes') }}
),

spellings as (
    select
        golden.customer_id,
        lower({{ unwrap_email('written.email_written') }}) as email_written,
        coalesce(written.email = golden.email, false) as is_golden_mailbox,
        count(*) as times_written,
        max(written.observed_at) as last_written_at
    from written
    inner join clustered
        on written.source = clustered.source and written.record_id = clustered.record_id
    inner join golden on clustered.customer_id = golden.customer_id
    where nullif({{ unwrap_email('written.email_written') }}, '') is not null
    group by all
)

select
    customer_id,
    email_written,
    is_golden_mailbox,
    times_written,
    last_written_at,
    is_golden_mailbox and row_number() over (
        partition by customer_id
        order by
            is_golden_mailbox desc, times_written desc, last_written_at desc nulls last,
            email_written asc
    ) = 1 as is_delivered
from spellings
