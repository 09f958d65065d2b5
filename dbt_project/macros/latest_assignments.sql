{# Each record's current customer in an id history (record_key, customer_id, assigned_at): its
   latest assignment, the smaller id on a tie. Returns a subquery of (record_key, customer_id). #}
{% macro latest_assignments(history) -%}
    (
        select
            record_key,
            customer_id
        from (
            select
                record_key,
                customer_id,
                row_number() over (
                    partition by record_key order by assigned_at desc, customer_id asc
                ) as recency_rank
            from {{ history }}
        ) as ranked
        where recency_rank = 1
    )
{%- endmacro %}
