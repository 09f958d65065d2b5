"""Record pairs the probabilistic model (int_identity_match_model) scores at or above
`probabilistic_review_threshold`, with the match probability and what agreed.
int_identity_record_links decides which become links."""

import pyarrow as pa

from identity_resolution.probabilistic import score


def model(dbt, session):
    dbt.config(materialized="table")
    (threshold,) = dbt.ref("int_identity_settings").project(
        "probabilistic_review_threshold").fetchone()
    (model_json,) = dbt.ref("int_identity_match_model").project("model_json").fetchone()
    features = dbt.ref("int_record_match_features")
    pairs = score(features.to_arrow_table(), model_json, threshold)
    keys = features.project("record_node, record_key").to_arrow_table()
    key_of = dict(zip(keys.column("record_node").to_pylist(),
                      keys.column("record_key").to_pylist(), strict=True))
    return pairs.append_column(
        "left_record_key",
        pa.array([key_of[node] for node in pairs.column("left_record_node").to_pylist()],
                 pa.string()),
    ).append_column(
        "right_record_key",
        pa.array([key_of[node] for node in pairs.column("right_record_node").to_pylist()],
                 pa.string()),
    )
