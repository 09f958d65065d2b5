-- How much each email and phone is used, against the population's own distribution: a value on
-- far more records per person, orders without a usable name, devices, people or values of the
-- other kind per person (phones for an email, emails for a phone) than the population's
-- `identifier_outlier_quantile` times `identifier_outlier_factor` (and above an absolute floor) is
-- not one person's, whatever the names on its records say: a store's phone, a cashier's mobile,
-- a family or company inbox, junk typed to skip a form.
with

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
    where identifier_type in ('email', 'phone')
),

names as (
    select * from {{ ref('int_record_names_unioned') }}
    where is_usable
),

name_groups as (
    select * from {{ ref('int_identifier_name_groups') }}
),

records_named as (
    select distinct record_key from names
),

usage as (
    select
        identifiers.identifier_type,
        identifiers.identifier_value,
        count(distinct identifiers.record_key) as records_count,
        count(distinct identifiers.record_key) filter (
            where identifiers.source = 'pos' and records_named.record_key is null
        ) as unnamed_orders_count,
        count(distinct identifiers.record_key) filter (
            where identifiers.source = 'website'
        ) as devices_count,
        count(distinct records_named.record_key) as named_records_count
    from identifiers
    left join records_named on identifiers.record_key = records_named.record_key
    group by identifiers.identifier_type, identifiers.identifier_value
),

paired_values as (
    -- An email's phones and a phone's emails, seen on the same records.
    select
        identifiers.identifier_type,
        identifiers.identifier_value,
        count(distinct other.identifier_value) as paired_values_count
    from identifiers
    inner join identifiers as other
        on
            identifiers.record_key = other.record_key
            and identifiers.identifier_type <> other.identifier_type
    group by identifiers.identifier_type, identifiers.identifier_value
),

people as (
    select
        identifier_type,
        identifier_value,
        max(people_count) as people_count
    from name_groups
    group by identifier_type, identifier_value
),

measured as (
    select
        usage.identifier_type,
        usage.identifier_value,
        usage.records_count,
        -- A household of six on one phone has six people's records: count per person.
        usage.records_count / greatest(
            coalesce(people.people_count, least(usage.named_records_count, 1)), 1
        ) as records_per_person_count,
        usage.unnamed_orders_count,
        usage.devices_count,
        coalesce(paired_values.paired_values_count, 0) / greatest(
            coalesce(people.people_count, least(usage.named_records_count, 1)), 1
        ) as paired_values_per_person_count,
        -- Uncontested values with a usable name are one person's.
        coalesce(people.people_count, least(usage.named_records_count, 1)) as people_count
    from usage
    left join paired_values
        on
            usage.identifier_type = paired_values.identifier_type
            and usage.identifier_value = paired_values.identifier_value
    left join people
        on
            usage.identifier_type = people.identifier_type
            and usage.identifier_value = people.identifier_value
),

{%- set measures = [
    'records_per_person', 'unnamed_orders', 'devices', 'people', 'paired_values_per_person'
] %}
{%- set quantile = var('identifier_outlier_quantile') %}
{%- set factor = var('identifier_outlier_factor') %}
{%- set floors = var('identifier_outlier_floors') %}

population as (
    -- Over every value of the type, zeros included: a measure most values never have (orders
    -- with no name) must not take its limit from the few that have it, the outliers.
    select
        {%- for measure in measures %}
            quantile_cont({{ measure }}_count, {{ quantile }}) as {{ measure }}_quantile,
        {%- endfor %}
        count(*) as values_count,
        identifier_type
    from measured
    group by identifier_type
),

assessed as (
    select
        {%- for measure in measures %}
            greatest(
                {{ floors[measure] }},
                -- Too few values to tell a distribution from its outliers: the floor alone.
                case
                    when population.values_count >= {{ var('identifier_outlier_min_population') }}
                        then coalesce(population.{{ measure }}_quantile, 0) * {{ factor }}
                    else 0
                end
            ) as {{ measure }}_limit,
            population.{{ measure }}_quantile as {{ measure }}_population_quantile,
        {%- endfor %}
        measured.*
    from measured
    inner join population on measured.identifier_type = population.identifier_type
)

select
    {%- for measure in measures %}
        {{ measure }}_count > {{ measure }}_limit as is_{{ measure }}_outlier,
    {%- endfor %}
    *
from assessed
