"""Connected components of the record-identifier graph, with scipy, within cardinality limits.

Records that share an identifier, directly or through a chain of records, are one customer —
unless the customer would then hold more user ids, CRM contacts, emails or phones than
`max_identifiers_per_customer` allows: then the weakest links (`identifier_link_priority`) are
refused (see identity_resolution/components.py and int_identity_links_capped). scipy labels
every component in one linear pass however long the chains. Components are named by their
smallest record node, as the SQL engine names them.
"""

import json

import numpy as np
import pyarrow as pa

from identity_resolution.components import resolve


def settings(dbt) -> tuple[dict[str, int], list[str]]:
    limits, priority = dbt.ref("int_identity_settings").fetchone()
    return json.loads(limits), json.loads(priority)


def resolution(dbt):
    record_count = dbt.ref("int_records_unioned").aggregate("count(*)").fetchone()[0]
    edges = dbt.ref("int_identity_edges").project(
        "record_node, identifier_node, identifier_type").to_arrow_table()
    return resolve(
        record_count,
        edges.column("record_node").to_numpy().astype(np.int64),
        edges.column("identifier_node").to_numpy().astype(np.int64),
        np.asarray(edges.column("identifier_type").to_pylist(), dtype=object),
        *settings(dbt),
    ), record_count


def model(dbt, session):
    dbt.config(materialized="table")
    result, record_count = resolution(dbt)
    return pa.table({
        "record_node": np.arange(record_count, dtype=np.int64),
        "component_id": result.component_of_record,
    })
