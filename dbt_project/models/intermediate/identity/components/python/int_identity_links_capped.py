"""Links refused because they would take a customer over `max_identifiers_per_customer`, or join
two records an analyst separated (never_link override): one
row per record and identifier value not joined, with the reason. The same resolution as
int_identity_components (cdp/identity/components.py), kept as its own table."""

import pyarrow as pa

from cdp.identity.components import resolve_relations


def model(dbt, session):
    dbt.config(materialized="table")
    resolution, _ = resolve_relations(
        dbt.ref("int_records_unioned"), dbt.ref("int_identity_edges"),
        dbt.ref("int_identity_settings"), dbt.ref("int_identity_separations"))
    return pa.table({
        "record_node": pa.array([edge[0] for edge in resolution.refused], pa.int64()),
        "identifier_node": pa.array([edge[1] for edge in resolution.refused], pa.int64()),
        "reason": pa.array([edge[3] for edge in resolution.refused], pa.string()),
    })
