"""The probabilistic matching model: Splink's settings and fitted m/u probabilities (JSON,
loadable by splink.Linker) and its match weights chart as an offline HTML page, one row per
training — the run's report links the newest. See cdp/identity/probabilistic.py.

Saved, and kept across full refreshes: a night scores its pairs with the newest saved model.
It is trained again when none is saved, when the records compared moved by more than
`probabilistic_retrain_growth` since, when its training settings or code changed, or when a
run asks (`cdp run --retrain-matching`); each row says why it was trained."""

from datetime import UTC, datetime

import pyarrow as pa

from cdp.identity.probabilistic import (
    build_memory_limit,
    retraining_reason,
    train,
    training_version,
)

SCHEMA = pa.schema([
    ("trained_at", pa.timestamp("us", tz="UTC")),
    ("records_compared", pa.int64()),
    ("is_trained", pa.bool_()),
    ("model_json", pa.string()),
    ("match_weights_chart_html", pa.string()),
    ("training_version", pa.string()),
    ("trained_because", pa.string()),
])


def model(dbt, session):
    dbt.config(materialized="incremental", full_refresh=False,
               on_schema_change="append_new_columns")
    u_pairs, em_pairs, seed, growth, asked = dbt.ref("int_identity_settings").project(
        "probabilistic_u_sample_pairs, probabilistic_em_max_pairs, probabilistic_seed, "
        "probabilistic_retrain_growth, probabilistic_retrain"
    ).fetchone()
    features = dbt.ref("int_record_match_features").to_arrow_table()
    version = training_version(u_pairs, em_pairs, seed)
    saved = None
    if dbt.is_incremental:
        # A table an older version saved has no training_version: read as another version,
        # so the model is trained again (and the new columns appended).
        columns = {row[0] for row in session.sql(f"describe {dbt.this}").fetchall()}
        version_column = "training_version" if "training_version" in columns else "null"
        saved = session.sql(f"""
            select records_compared, {version_column} from {dbt.this}
            order by trained_at desc limit 1""").fetchone()
    reason = retraining_reason(saved, features.num_rows, version, growth, bool(asked))
    if reason is None:
        return SCHEMA.empty_table()
    trained = train(features, max_pairs_for_u=u_pairs, max_pairs_for_em=em_pairs, seed=int(seed),
                    memory_limit=build_memory_limit(session))
    return pa.table({
        "trained_at": [datetime.now(UTC)],
        "records_compared": [features.num_rows],
        "is_trained": [trained.trained],
        "model_json": [trained.model_json],
        "match_weights_chart_html": [trained.match_weights_chart_html],
        "training_version": [version],
        "trained_because": [reason],
    }, schema=SCHEMA)
