"""The probabilistic matching model, fitted on this run's records: one row with Splink's
settings and fitted m/u probabilities (JSON, loadable by splink.Linker) and Splink's own match
weights chart as an offline HTML page — the run's report links it. See
identity_resolution/probabilistic.py."""

from datetime import UTC, datetime

import pyarrow as pa

from cdp.identity.probabilistic import train


def model(dbt, session):
    dbt.config(materialized="table")
    u_pairs, em_pairs, seed = dbt.ref("int_identity_settings").project(
        "probabilistic_u_sample_pairs, probabilistic_em_max_pairs, probabilistic_seed"
    ).fetchone()
    features = dbt.ref("int_record_match_features").to_arrow_table()
    trained = train(features, max_pairs_for_u=u_pairs, max_pairs_for_em=em_pairs, seed=int(seed))
    return pa.table({
        "trained_at": pa.array([datetime.now(UTC)], pa.timestamp("us", tz="UTC")),
        "records_compared": pa.array([features.num_rows], pa.int64()),
        "is_trained": pa.array([trained.trained]),
        "model_json": pa.array([trained.model_json]),
        "match_weights_chart_html": pa.array([trained.match_weights_chart_html]),
    })
