{# The raw rows a staging model reads on this build: all of them on a full build; on an
   incremental one, every version of each record (rows sharing `record_key`, one column) of
   which a load since the last build brought a version, so that the newest version of each is
   chosen among all of its versions again (macro latest_version), and nothing else. The
   watermark is the newest load the model staged: a load whose versions all lost to older
   ones is read again on the next build, which chooses the same.

   Loads only add raw rows; what removes or rewrites them is not incremental: a retention
   window applies to the staged copy as to the raw table (cdp/privacy/policy.yml), and an
   erasure has the models reading the raw rows it anonymized in place built again from all of
   history (night_inputs.require_restaging). #}
{% macro versions_to_stage(relation, record_key) -%}
    {%- if is_incremental() %}
    select *
    from {{ relation }}
    where {{ record_key }} in (
        select {{ record_key }}
        from {{ relation }}
        where cast(_dlt_load_id as double) > (
            select coalesce(max(cast(_dlt_load_id as double)), 0) from {{ this }}
        )
    )
    {%- else %}
    select * from {{ relation }}
    {%- endif %}
{%- endmacro %}
