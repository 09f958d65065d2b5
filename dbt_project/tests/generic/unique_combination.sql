{# A compound key: no two rows share the same values in all the given columns. #}
{% test unique_combination(model, columns) %}
{{ adapter.dispatch('unique_combination_violations', 'cdp')(model, columns) }}
{% endtest %}
