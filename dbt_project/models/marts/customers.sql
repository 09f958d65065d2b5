with

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

attributes as (
    select * from {{ ref('int_customer_attributes_survived') }}
),

orders as (
    select * from {{ ref('int_orders_attributed') }}
),

events as (
    select * from {{ ref('int_events_sessionized') }}
    where event_id is not null  -- not a marker of a device with no event left
),

lifecycle_stages as (
    -- Every enabled source's lifecycle stages (kind `lifecycle_stages`: the CRM's).
    {{ union_source_models('lifecycle_stages') }}
),

rfm as (
    select * from {{ ref('int_customers_rfm_scored') }}
),

people_named as (
    select * from {{ ref('int_customer_people_named') }}
),

consents as (
    select * from {{ ref('int_customer_consents') }}
),

restrictions as (
    select * from {{ ref('int_customer_restrictions') }}
),

predictions as (
    select * from {{ ref('int_customer_predictions') }}
),

email_events as (
    -- Every enabled source's email engagement (kind `email_events`).
    {{ union_source_models('email_events') }}
),

channel_status as (
    select * from {{ ref('customer_channel_status') }}
    where channel = 'email'
),

chat_status as (
    select
        customer_id,
        max(case when status = 'subscribed' then 1 else 0 end) = 1 as follows_zalo_oa,
        max(case when is_reply_window_open then 1 else 0 end) = 1 as has_open_chat_window
    from {{ ref('customer_channel_status') }}
    where channel in ('zalo', 'messenger') and customer_id is not null
    group by customer_id
),

chat_messages as (
    -- Every enabled source's chat activity (kind `chat_messages`), never its text.
    {{ union_source_models('chat_messages') }}
),

-- A conversation starts with the person's message `chat_conversation_gap_hours` after the
-- thread's previous event (theirs or the business's), or with its first.
chat_threads as (
    select
        *,
        lag(occurred_at) over (
            partition by channel, address order by occurred_at, event_id
        ) as previous_at
    from chat_messages
    where occurred_at is not null
),

chat_summary as (
    select
        clustered.customer_id,
        count(*) filter (
            where chat_threads.direction = 'inbound'
            and (
                chat_threads.previous_at is null
                or chat_threads.occurred_at > {{ dbt.dateadd(
                    'hour', var('chat_conversation_gap_hours'), 'chat_threads.previous_at') }}
            )
        ) as chat_conversations_count,
        count(*) filter (where chat_threads.direction = 'inbound') as chat_messages_count,
        max(chat_threads.occurred_at) filter (
            where chat_threads.direction = 'inbound'
        ) as last_chat_message_at
    from chat_threads
    inner join clustered
        on chat_threads.source = clustered.source and chat_threads.record_id = clustered.record_id
    group by clustered.customer_id
),

-- Emails counted per campaign (an email opened twice is one email opened); an open or a
-- click proves the email arrived even where the tool exports no delivery.
email_summary as (
    select
        clustered.customer_id,
        count(distinct coalesce(email_events.campaign_id, email_events.event_id)) filter (
            where email_events.event_type in ('delivered', 'opened', 'clicked')
        ) as emails_received_count,
        count(distinct coalesce(email_events.campaign_id, email_events.event_id)) filter (
            where email_events.event_type in ('opened', 'clicked')
        ) as emails_opened_count,
        count(distinct coalesce(email_events.campaign_id, email_events.event_id)) filter (
            where email_events.event_type = 'clicked'
        ) as emails_clicked_count,
        max(email_events.occurred_at) filter (
            where email_events.event_type in ('opened', 'clicked')
        ) as last_email_engagement_at
    from email_events
    inner join clustered
        on email_events.source = clustered.source and email_events.record_id = clustered.record_id
    group by clustered.customer_id
),

consent_summary as (
    select
        customer_id,
        {%- for purpose in var('consent_purposes') %}
            max(status) filter (where purpose = '{{ purpose }}') as consent_{{ purpose }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from consents
    group by customer_id
),

record_summary as (
    select
        customer_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        count(*) as records_count,
        {{ distinct_values_text('source', ', ') }} as sources,
        count(*) filter (where source = 'social') as leads_count,
        count(*) filter (where source = 'crm') as crm_contacts_count,
        count(*) filter (where source = 'app') as app_installs_count,
        count(*) filter (where source = 'chat') as chat_accounts_count
    from clustered
    group by customer_id
),

order_summary as (
    select
        customer_id,
        count(*) as orders_count,
        sum(total) as gross_revenue,
        sum(refunded_amount) as refunded_amount,
        sum(net_revenue) as net_revenue,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at
    from orders
    where customer_id is not null
    group by customer_id
),

web_summary as (
    select
        customer_id,
        count(*) filter (where source != 'app') as events_count,
        count(distinct session_id) filter (where source != 'app') as web_sessions_count,
        count(*) filter (where source = 'app') as app_events_count,
        count(distinct session_id) filter (where source = 'app') as app_sessions_count,
        max(occurred_at) filter (
            where source = 'app'
            and event_name in ('Application Opened', 'Application Installed', 'Application Updated')
        ) as last_app_open_at
    from events
    where customer_id is not null
    group by customer_id
),

crm_ranked as (
    select
        clustered.customer_id,
        lifecycle_stages.lifecycle_stage,
        row_number() over (
            partition by clustered.customer_id
            order by lifecycle_stages.stated_at desc nulls last, lifecycle_stages.record_id asc
        ) as recency_rank
    from lifecycle_stages
    inner join clustered
        on
            lifecycle_stages.source = clustered.source
            and lifecycle_stages.record_id = clustered.record_id
),

crm_latest as (
    select * from crm_ranked
    where recency_rank = 1
),

as_of as (
    {{ as_of('record_summary', 'last_seen_at') }}
),

joined as (
    select
        record_summary.customer_id,
        attributes.full_name,
        attributes.email,
        attributes.phone,
        attributes.city,
        record_summary.first_seen_at,
        record_summary.last_seen_at,
        cast({{ to_local_time('record_summary.first_seen_at') }} as date) as first_seen_date_local,
        cast({{ to_local_time('record_summary.last_seen_at') }} as date) as last_seen_date_local,
        record_summary.sources,
        record_summary.records_count,
        coalesce(people_named.people_named_count, 0) as people_named_count,
        coalesce(web_summary.web_sessions_count, 0) as web_sessions_count,
        coalesce(web_summary.events_count, 0) as events_count,
        record_summary.app_installs_count,
        coalesce(web_summary.app_sessions_count, 0) as app_sessions_count,
        coalesce(web_summary.app_events_count, 0) as app_events_count,
        web_summary.last_app_open_at,
        record_summary.leads_count,
        coalesce(order_summary.orders_count, 0) as orders_count,
        coalesce(order_summary.gross_revenue, 0) as gross_revenue,
        coalesce(order_summary.refunded_amount, 0) as refunded_amount,
        coalesce(order_summary.net_revenue, 0) as net_revenue,
        order_summary.net_revenue / nullif(order_summary.orders_count, 0) as average_order_value,
        order_summary.first_order_at,
        order_summary.last_order_at,
        cast({{ to_local_time('order_summary.first_order_at') }} as date) as first_order_date_local,
        cast({{ to_local_time('order_summary.last_order_at') }} as date) as last_order_date_local,
        crm_latest.lifecycle_stage as crm_lifecycle_stage,
        {%- for purpose in var('consent_purposes') %}
            coalesce(consent_summary.consent_{{ purpose }}, 'unknown') as consent_{{ purpose }},
        {%- endfor %}
        coalesce(consent_summary.consent_email_marketing = 'granted', false)
            as has_marketing_consent,
        restrictions.customer_id is not null as is_processing_restricted,
        coalesce(email_summary.emails_received_count, 0) as emails_received_count,
        coalesce(email_summary.emails_opened_count, 0) as emails_opened_count,
        coalesce(email_summary.emails_clicked_count, 0) as emails_clicked_count,
        email_summary.last_email_engagement_at,
        {{ dbt.datediff("email_summary.last_email_engagement_at", "as_of.as_of_at", "day") }}
            as days_since_last_email_engagement,
        -- The golden email's subscription state (marts.customer_channel_status).
        channel_status.status as email_channel_status,
        coalesce(channel_status.may_receive_marketing, true) as email_may_receive_marketing,
        record_summary.chat_accounts_count,
        coalesce(chat_summary.chat_conversations_count, 0) as chat_conversations_count,
        coalesce(chat_summary.chat_messages_count, 0) as chat_messages_count,
        chat_summary.last_chat_message_at,
        {{ dbt.datediff("chat_summary.last_chat_message_at", "as_of.as_of_at", "day") }}
            as days_since_last_chat_message,
        coalesce(chat_status.follows_zalo_oa, false) as follows_zalo_oa,
        coalesce(chat_status.has_open_chat_window, false) as has_open_chat_window,
        {{ dbt.datediff("record_summary.last_seen_at", "as_of.as_of_at", "day") }}
            as days_since_last_seen,
        {{ dbt.datediff("order_summary.last_order_at", "as_of.as_of_at", "day") }}
            as days_since_last_order,
        {{ dbt.datediff("record_summary.first_seen_at", "as_of.as_of_at", "day") }}
            as days_since_first_seen
    from record_summary
    cross join as_of
    left join attributes on record_summary.customer_id = attributes.customer_id
    left join order_summary on record_summary.customer_id = order_summary.customer_id
    left join web_summary on record_summary.customer_id = web_summary.customer_id
    left join crm_latest on record_summary.customer_id = crm_latest.customer_id
    left join people_named on record_summary.customer_id = people_named.customer_id
    left join consent_summary on record_summary.customer_id = consent_summary.customer_id
    left join restrictions on record_summary.customer_id = restrictions.customer_id
    left join email_summary on record_summary.customer_id = email_summary.customer_id
    left join channel_status on attributes.email = channel_status.address
    left join chat_summary on record_summary.customer_id = chat_summary.customer_id
    left join chat_status on record_summary.customer_id = chat_status.customer_id
),

final as (
    select
        joined.*,
        rfm.rfm_recency_score,
        rfm.rfm_frequency_score,
        rfm.rfm_monetary_score,
        rfm.rfm_segment,
        case
            -- Every record's time was no plausible moment (see marts.data_issues).
            when joined.last_seen_at is null then 'unknown'
            when joined.days_since_first_seen <= {{ var('lifecycle_new_days') }} then 'new'
            when joined.days_since_last_seen <= {{ var('lifecycle_active_days') }} then 'active'
            when joined.days_since_last_seen <= {{ var('lifecycle_at_risk_days') }} then 'at risk'
            else 'churned'
        end as lifecycle_status,
        -- Predicted traits (int_customer_predictions); a restricted customer is not profiled.
        case
            when joined.is_processing_restricted then 'restricted'
            when predictions.customer_id is null then 'no purchases'
            else predictions.prediction_status
        end as prediction_status,
        predictions.p_active,
        predictions.churn_probability_90d,
        predictions.expected_purchases_30d,
        predictions.expected_purchases_90d,
        predictions.expected_purchases_365d,
        predictions.expected_purchase_value,
        predictions.predicted_clv_12m
    from joined
    left join rfm on joined.customer_id = rfm.customer_id
    left join predictions on joined.customer_id = predictions.customer_id
)

select * from final
