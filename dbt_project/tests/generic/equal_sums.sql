{# Two measures reconcile: the sum of a column equals the sum of another model's column. #}
{% test equal_sums(model, column_name, compare_model, compare_column, tolerance=0.01) %}
with
this_side as (select coalesce(sum({{ column_name }}), 0) as total from {{ model }}),
other_side as (select coalesce(sum({{ compare_column }}), 0) as total from {{ compare_model }})
select this_side.total as model_total, other_side.total as compare_total
from this_side cross join other_side
where abs(this_side.total - other_side.total) > {{ tolerance }}
{% endtest %}
