{# A timestamp kept only when it is a plausible moment for its record (see timestamp_issue), else
   NULL: one record's impossible date must not move the as-of date and every statistic after it.

   Why staging sets the value NULL (keeping it as `<column>_exported`) rather than adding an
   `is_<column>_plausible` flag: as with a negative total, models downstream ignore the value
   without having to remember a filter — aggregates and comparisons skip NULL — so first/last
   seen, the as-of date, lifecycle windows, purchase histories and the identity anchor (oldest
   first, NULL last) leave it out by construction, and a model added later cannot forget. Only
   where NULL would still take a place (a rank, a row order) does a model say so: RFM's recency
   ranks dated buyers only, an undated event is in no session. The record itself stays;
   marts.data_issues lists the value from `<column>_exported`. #}
{% macro plausible_timestamp(column, load_id='_dlt_load_id') -%}
    case when {{ timestamp_issue(column, load_id) }} is null then {{ column }} end
{%- endmacro %}
