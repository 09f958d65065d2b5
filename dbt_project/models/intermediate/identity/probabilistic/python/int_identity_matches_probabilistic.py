"""Record pairs the probabilistic model (int_identity_match_model) scores at or above
`probabilistic_review_threshold`, with the match probability and what agreed, less the pairs
the rules already join through a shared phone or email. int_identity_record_links decides which
become links."""

from cdp.identity.probabilistic import build_memory_limit, score


def model(dbt, session):
    dbt.config(materialized="table")
    (threshold,) = dbt.ref("int_identity_settings").project(
        "probabilistic_review_threshold").fetchone()
    # The newest saved model (one row per training).
    (model_json,) = dbt.ref("int_identity_match_model").order("trained_at desc").limit(1).project(
        "model_json").fetchone()
    features = dbt.ref("int_record_match_features")
    session.register("scored_pairs", score(features.to_arrow_table(), model_json, threshold,
                                           build_memory_limit(session)))
    matches = session.sql(f"""
        select scored_pairs.*, left_records.record_key as left_record_key,
            right_records.record_key as right_record_key
        from scored_pairs
        inner join ({features.sql_query()}) as left_records
            on scored_pairs.left_record_node = left_records.record_node
        inner join ({features.sql_query()}) as right_records
            on scored_pairs.right_record_node = right_records.record_node
        order by scored_pairs.left_record_node, scored_pairs.right_record_node
    """).to_arrow_table()
    session.unregister("scored_pairs")
    return matches
