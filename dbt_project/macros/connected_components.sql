{# Connected components of a bipartite record–identifier graph in plain SQL: min-label
   propagation through identifiers, with pointer jumping (a record adopts its label's label), so
   long chains converge in a logarithmic number of passes instead of one pass per link. Returns
   the SELECT of (record_node, component_id); the working table is dropped by the caller. #}
{% macro connected_components(edges, records, max_passes=64) %}
    {%- set work = components_work_table(this) -%}
    {%- set next_work = components_work_table(this, 'next') -%}
    {%- if execute -%}
        {%- do run_query("drop table if exists " ~ work) -%}
        {%- do run_query(
            "create table " ~ work ~ " as select record_node, record_node as label from " ~ records
        ) -%}
        {%- set progress = namespace(converged=false, passes=0) -%}
        {%- for _ in range(max_passes) if not progress.converged -%}
            {%- do run_query("drop table if exists " ~ next_work) -%}
            {%- do run_query(components_pass_sql(edges, work, next_work)) -%}
            {%- set changed = run_query(
                "select count(*) from " ~ next_work ~ " as next_labels inner join " ~ work
                ~ " as labels on next_labels.record_node = labels.record_node"
                ~ " where next_labels.label <> labels.label"
            ).columns[0].values()[0] -%}
            {%- do run_query("drop table " ~ work) -%}
            {%- do run_query("alter table " ~ next_work ~ " rename to " ~ work.identifier) -%}
            {%- set progress.passes = progress.passes + 1 -%}
            {%- set progress.converged = changed == 0 -%}
        {%- endfor -%}
        {%- if not progress.converged -%}
            {{ exceptions.raise_compiler_error(
                "connected components did not converge in " ~ max_passes ~ " passes") }}
        {%- endif -%}
        {{ log("connected components converged in " ~ progress.passes ~ " passes", info=true) }}
    {%- endif %}
    select record_node, label as component_id from {{ work }}
{% endmacro %}

{# One pass: each identifier takes the smallest label of its records, each record the smallest
   label of its identifiers, then jumps to its new label's own label. #}
{% macro components_pass_sql(edges, work, next_work) %}
    create table {{ next_work }} as
    with identifier_labels as (
        select edges.identifier_node, min(labels.label) as label
        from {{ edges }} as edges
        inner join {{ work }} as labels on edges.record_node = labels.record_node
        group by edges.identifier_node
    ),
    propagated as (
        select labels.record_node, least(labels.label, min(identifier_labels.label)) as label
        from {{ work }} as labels
        left join {{ edges }} as edges on labels.record_node = edges.record_node
        left join identifier_labels on edges.identifier_node = identifier_labels.identifier_node
        group by labels.record_node, labels.label
    )
    select propagated.record_node, least(propagated.label, label_of_label.label) as label
    from propagated
    inner join propagated as label_of_label on propagated.label = label_of_label.record_node
{% endmacro %}

{# The working table of the SQL engine, beside the model it builds. #}
{% macro components_work_table(relation, suffix='labels') %}
    {{ return(relation.incorporate(path={"identifier": relation.identifier ~ "__" ~ suffix})) }}
{% endmacro %}
