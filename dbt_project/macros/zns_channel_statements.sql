{#- What Zalo's notification service (ZNS) answered of each phone, as channel statements
    (channel `zns`, the phone in E.164): a user who blocked the OA, or who refused its
    notifications, is `blocked` from the moment of the answer, and no ZNS message goes to that
    phone again (cdp/activation/destinations/zalo_zns.py records each answer in
    activation.zns_messages). The table exists once a first ZNS delivery is made. `record_id`
    is the customer the message was for. -#}
{% macro zns_channel_statements() -%}
    {%- set relation = adapter.get_relation(
        database=target.database, schema='activation', identifier='zns_messages') -%}
    {%- if relation is not none -%}
        select
            'zns' as source,
            customer_id as record_id,
            'zns' as channel,
            '+' || phone as address,
            '+' || phone as address_written,
            'blocked' as status,
            answered_at as stated_at,
            answered_at as loaded_at,
            'ZNS answered ' || coalesce(cast(error_code as {{ dbt.type_string() }}), '?')
            || coalesce(': ' || error_message, '') as statement
        from {{ relation }}
        where status in ('blocked', 'opted_out')
    {%- else -%}
        select
            cast(null as varchar) as source,
            cast(null as varchar) as record_id,
            cast(null as varchar) as channel,
            cast(null as varchar) as address,
            cast(null as varchar) as address_written,
            cast(null as varchar) as status,
            cast(null as timestamp with time zone) as stated_at,
            cast(null as timestamp with time zone) as loaded_at,
            cast(null as varchar) as statement
        where false
    {%- endif -%}
{%- endmacro %}
