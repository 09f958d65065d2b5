-- Links between two records that no shared identifier made: an analyst's `always_link`
-- override, or a probabilistic match above its threshold (int_identity_matches_probabilistic)
-- where the rules had nothing to go on: the pair shares no identifier, or only values the rules
-- excluded (a store's phone). Never where names disagree, where the two carry different phones
-- or emails, or where the rules kept the two apart by name.
-- Each becomes a node of its own in the identity graph, joined to both records, so the
-- cardinality limits weigh it like any other link (`identifier_link_priority`).
with

overrides as (
    select * from {{ ref('int_identity_overrides') }}
),

matches as (
    select * from {{ ref('int_identity_matches_probabilistic') }}
),

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

linking as (
    select * from {{ ref('int_identifiers_linking') }}
),

excluded as (
    select * from {{ ref('int_identifiers_excluded') }}
),

shared_values as (
    -- Each value a scored pair shares, and whether the rules excluded it.
    select
        matches.left_record_key,
        matches.right_record_key,
        left_identifiers.identifier_type,
        left_identifiers.identifier_value,
        excluded.identifier_value is not null as is_excluded
    from matches
    inner join identifiers as left_identifiers
        on matches.left_record_key = left_identifiers.record_key
    inner join identifiers as right_identifiers
        on
            matches.right_record_key = right_identifiers.record_key
            and left_identifiers.identifier_type = right_identifiers.identifier_type
            and left_identifiers.identifier_value = right_identifiers.identifier_value
    left join excluded
        on
            left_identifiers.identifier_type = excluded.identifier_type
            and left_identifiers.identifier_value = excluded.identifier_value
),

shared_linking_values as (
    -- Shared values both records are linked through, for the same person: nothing to add.
    select distinct
        shared_values.left_record_key,
        shared_values.right_record_key
    from shared_values
    inner join linking as left_linking
        on
            shared_values.left_record_key = left_linking.record_key
            and shared_values.identifier_type = left_linking.identifier_type
            and shared_values.identifier_value = left_linking.identifier_value
    inner join linking as right_linking
        on
            shared_values.right_record_key = right_linking.record_key
            and shared_values.identifier_type = right_linking.identifier_type
            and shared_values.identifier_value = right_linking.identifier_value
            and left_linking.name_group = right_linking.name_group
),

pair_evidence as (
    select
        shared_values.left_record_key,
        shared_values.right_record_key,
        bool_or(shared_values.is_excluded) as shares_excluded_value,
        -- Shared, not excluded, yet not linked: the rules found different (or ambiguous)
        -- people's names on it — they decided, and the model does not overrule them.
        bool_or(not shared_values.is_excluded) as shares_contested_value
    from shared_values
    left join shared_linking_values
        on
            shared_values.left_record_key = shared_linking_values.left_record_key
            and shared_values.right_record_key = shared_linking_values.right_record_key
    where shared_linking_values.left_record_key is null
    group by shared_values.left_record_key, shared_values.right_record_key
),

match_evidence as (
    select
        matches.left_record_key,
        matches.right_record_key,
        matches.match_probability,
        matches.agreement,
        matches.names_agree,
        matches.contradicted,
        shared_linking_values.left_record_key is not null as shares_linking_value,
        coalesce(pair_evidence.shares_excluded_value, false) as shares_excluded_value,
        coalesce(pair_evidence.shares_contested_value, false) as shares_contested_value
    from matches
    left join shared_linking_values
        on
            matches.left_record_key = shared_linking_values.left_record_key
            and matches.right_record_key = shared_linking_values.right_record_key
    left join pair_evidence
        on
            matches.left_record_key = pair_evidence.left_record_key
            and matches.right_record_key = pair_evidence.right_record_key
),

accepted_matches as (
    select
        left_record_key,
        right_record_key,
        match_probability,
        'match probability ' || printf('%.4f', match_probability)
        || case
            when shares_excluded_value
                then
                    ' through an excluded value (threshold '
                    || {{ var('probabilistic_link_threshold_excluded') }}
            else
                ' with no shared identifier (threshold '
                || {{ var('probabilistic_link_threshold_unshared') }}
        end || '): ' || coalesce(nullif(agreement, ''), 'overall') as link_rule
    from match_evidence
    where
        -- Never against the names (a household agrees on everything else) or another phone or
        -- email, never where the rules already decided: only where they had nothing to go on.
        names_agree
        and not contradicted
        and not shares_linking_value
        and not shares_contested_value
        and match_probability >= case
            when shares_excluded_value then {{ var('probabilistic_link_threshold_excluded') }}
            else {{ var('probabilistic_link_threshold_unshared') }}
        end
),

records as (
    select * from {{ ref('int_records_unioned') }}
),

pairs as (
    select
        left_record_key,
        right_record_key,
        'override' as link_type,
        'override: always link (' || reason || ')' as link_rule,
        cast(null as double) as match_probability
    from overrides
    where action = 'always_link'
    union all
    select
        left_record_key,
        right_record_key,
        'probabilistic',
        link_rule,
        match_probability
    from accepted_matches
),

existing_pairs as (
    select distinct on (least(left_record_key, right_record_key), greatest(left_record_key, right_record_key))
        least(pairs.left_record_key, pairs.right_record_key) as left_record_key,
        greatest(pairs.left_record_key, pairs.right_record_key) as right_record_key,
        pairs.link_type,
        pairs.link_rule,
        pairs.match_probability
    from pairs
    inner join records as left_records on pairs.left_record_key = left_records.record_key
    inner join records as right_records on pairs.right_record_key = right_records.record_key
    where pairs.left_record_key <> pairs.right_record_key
    order by
        least(left_record_key, right_record_key),
        greatest(left_record_key, right_record_key),
        pairs.link_type = 'override' desc
)

select
    left_record_key,
    right_record_key,
    link_type,
    link_rule,
    match_probability,
    left_record_key || ' = ' || right_record_key as link_label
from existing_pairs
