{# The rows of `model` sharing their values of all `columns` with another row (the
   unique_combination test, tests/generic/). #}
{% macro default__unique_combination_violations(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endmacro %}

{# One 64-bit hash per row groups twice as fast as the columns themselves (millions of rows, a
   check every night); only the rows of a repeated hash are then grouped by their values. #}
{% macro duckdb__unique_combination_violations(model, columns) %}
with repeated_hashes as (
    select hash({{ columns | join(', ') }}) as row_hash
    from {{ model }}
    group by row_hash
    having count(*) > 1
)

select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
where hash({{ columns | join(', ') }}) in (select row_hash from repeated_hashes)
group by {{ columns | join(', ') }}
having count(*) > 1
{% endmacro %}
