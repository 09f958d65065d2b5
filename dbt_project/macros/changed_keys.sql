{# For a model replacing its rows key by key (incremental, delete+insert on `keys`): which keys
   a build replaces, comparing `current` (a relation or CTE: one row per key, with the
   `measures` that summarize its inputs, e.g. a count and a rows_checksum) with `stored` (the
   same, as this table holds them; only defined on an incremental build).

   keys_changed: the rows of `current` whose key is new or whose measures differ (NULLs equal);
   on a full build, every row of `current`.
   keys_gone: the keys of `stored` no longer in `current` (the model writes a marker row for
   each, which replaces their rows and a post-hook deletes); on a full build, none. #}
{% macro keys_changed(current, stored, keys, measures) -%}
    {%- if is_incremental() %}
    select {{ current }}.*
    from {{ current }}
    left join {{ stored }}
        on
            {%- for key in keys %}
            {{ current }}.{{ key }} = {{ stored }}.{{ key }}{{ " and" if not loop.last or measures }}
            {%- endfor %}
            {%- for measure in measures %}
            {{ current }}.{{ measure }} is not distinct from {{ stored }}.{{ measure }}{{ " and" if not loop.last }}
            {%- endfor %}
    where {{ stored }}.{{ keys[0] }} is null
    {%- else %}
    select * from {{ current }}
    {%- endif %}
{%- endmacro %}

{% macro keys_gone(current, stored, keys) -%}
    {%- if is_incremental() %}
    select {% for key in keys %}{{ stored }}.{{ key }}{{ ", " if not loop.last }}{% endfor %}
    from {{ stored }}
    left join {{ current }}
        on
            {%- for key in keys %}
            {{ stored }}.{{ key }} = {{ current }}.{{ key }}{{ " and" if not loop.last }}
            {%- endfor %}
    where {{ current }}.{{ keys[0] }} is null
    {%- else %}
    select {{ keys | join(', ') }} from {{ current }} where false
    {%- endif %}
{%- endmacro %}

{# The rows of `relation` (an incremental model upstream) its builds replaced since this
   model's newest `_rebuilt_at`: a downstream model taking over its replacements key by key.
   On a full build, every row. #}
{% macro rebuilt_since_last_build(relation) -%}
    select * from {{ relation }}
    {%- if is_incremental() %}
    where _rebuilt_at > (
        select coalesce(max(_rebuilt_at), cast('1900-01-01' as {{ type_timestamp_utc() }}))
        from {{ this }}
    )
    {%- endif %}
{%- endmacro %}
