"""Links refused because they would take a customer over `max_identifiers_per_customer`: one
row per record and identifier value not joined, with the reason. The same resolution as
int_identity_components (identity_resolution/components.py), kept as its own table."""

import json

import numpy as np
import pyarrow as pa

from identity_resolution.components import resolve


def settings(dbt) -> tuple[dict[str, int], list[str]]:
    limits, priority = dbt.ref("int_identity_settings").fetchone()
    return json.loads(limits), json.loads(priority)


def model(dbt, session):
    dbt.config(materialized="table")
    record_count = dbt.ref("int_records_unioned").aggregate("count(*)").fetchone()[0]
    edges = dbt.ref("int_identity_edges").project(
        "record_node, identifier_node, identifier_type").to_arrow_table()
    result = resolve(
        record_count,
        edges.column("record_node").to_numpy().astype(np.int64),
        edges.column("identifier_node").to_numpy().astype(np.int64),
        np.asarray(edges.column("identifier_type").to_pylist(), dtype=object),
        *settings(dbt),
    )
    return pa.table({
        "record_node": pa.array([edge[0] for edge in result.refused], pa.int64()),
        "identifier_node": pa.array([edge[1] for edge in result.refused], pa.int64()),
        "reason": pa.array([edge[3] for edge in result.refused], pa.string()),
    })
