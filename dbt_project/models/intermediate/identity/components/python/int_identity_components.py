"""Connected components of the record-identifier graph, with scipy.

Records that share an identifier, directly or through a chain of records, are one customer.
scipy labels every component in one linear pass however long the chains or large the components
(a plain recursive CTE stores every reachable pair and runs out of memory). Components are named
by their smallest record node, as the SQL engine names them, so both give the same answer.
"""

import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def model(dbt, session):
    dbt.config(materialized="table")
    record_count = dbt.ref("int_records_unioned").aggregate("count(*)").fetchone()[0]
    edges = dbt.ref("int_identity_edges").to_arrow_table()
    record_nodes = edges.column("record_node").to_numpy().astype(np.int64)
    identifier_nodes = edges.column("identifier_node").to_numpy().astype(np.int64)
    node_count = int(max(record_count, identifier_nodes.max() + 1 if len(edges) else 0))
    graph = coo_matrix(
        (np.ones(len(record_nodes), dtype=np.int8), (record_nodes, identifier_nodes)),
        shape=(node_count, node_count),
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    record_labels = labels[:record_count]
    # Record nodes come first and ascending, so a label's first record is its smallest.
    unique_labels, first_record = np.unique(record_labels, return_index=True)
    smallest_record = np.empty(unique_labels.max() + 1 if len(unique_labels) else 0, np.int64)
    smallest_record[unique_labels] = first_record
    return pa.table({
        "record_node": np.arange(record_count, dtype=np.int64),
        "component_id": smallest_record[record_labels],
    })
