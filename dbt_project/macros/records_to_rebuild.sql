{# A source's record-level models (its identifiers, its record names: several rows per record,
   aggregated from its staged rows) are incremental by record: a build reads again only the
   staged rows of the records whose version changed, not all of history. A record's version is
   the count of its staged rows and the newest load among them (`record_rows` and
   `record_newest_load` of the source's own records model, `int_<system>__records`, beside the
   columns the records union takes): a new row, a later version of one, a row deleted
   (retention, erasure) each change it.

   Such a model is `incremental` (delete+insert on `record_id`) and:
   - opens its CTEs with `records_to_rebuild(system)`, which defines `records_to_rebuild` (the
     records to read again, with their version) and `records_gone` (records no longer there);
   - reads its staged rows only for `records_to_rebuild`, where the rows are read, before any
     aggregate: a filter on an aggregate's output is not pushed below it;
   - ends with `with_record_versions(relation, system, columns)`, which adds one version row per
     rebuilt record (content columns empty: also for a record that has no content row, so that
     it is not read again the next night) and a marker per gone record, which replaces its rows
     and the post-hook `delete_gone_records()` deletes.
   Content rows have an empty `record_rows`: readers take `where record_rows is null`. #}

{% macro records_to_rebuild(system) -%}
record_versions as (
    select record_id, record_rows, record_newest_load
    from {{ ref('int_' ~ system ~ '__records') }}
),
{%- if is_incremental() %}

stored_record_versions as (
    select record_id, record_rows, record_newest_load
    from {{ this }}
    where record_rows is not null
),
{%- endif %}

records_to_rebuild as (
    {{ keys_changed('record_versions', 'stored_record_versions', ['record_id'],
                    ['record_rows', 'record_newest_load']) }}
),

records_gone as (
    {{ keys_gone('record_versions', 'stored_record_versions', ['record_id']) }}
)
{%- endmacro %}

{% macro with_record_versions(relation, system, columns) -%}
select
    source,
    record_id,
    {%- for column in columns %}
    {{ column }},
    {%- endfor %}
    cast(null as {{ dbt.type_bigint() }}) as record_rows,
    cast(null as {{ dbt.type_float() }}) as record_newest_load
from {{ relation }}

union all

select
    '{{ system }}' as source,
    record_id,
    {%- for column in columns %}
    null as {{ column }},
    {%- endfor %}
    record_rows,
    record_newest_load
from records_to_rebuild

union all

select
    '{{ system }}' as source,
    record_id,
    {%- for column in columns %}
    null as {{ column }},
    {%- endfor %}
    0 as record_rows,
    null as record_newest_load
from records_gone
{%- endmacro %}

{% macro delete_gone_records() -%}
delete from {{ this }} where record_rows = 0
{%- endmacro %}
