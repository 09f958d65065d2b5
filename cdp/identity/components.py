"""Customers as connected components of the record-identifier graph, within cardinality limits.

scipy labels the components of the whole graph in one linear pass. A component holding more
identifiers of one type than a person plausibly has (`limits`: at most N user ids, CRM contacts,
emails, phones) is a chain of merges through some value that is not one person's: it is rebuilt
link by link, strongest identifier type first (`priority`), and a link that would take the
customer over a limit is refused — the weaker identifier yields — and reported. A component
holding both records of a pair an analyst separated (`apart`, never_link overrides) is rebuilt
the same way, and the link that would join the two is refused: the chain is cut at its weakest
link. Only offending components are rebuilt, so the common case costs the scipy pass alone.
"""

import json
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass
class Resolution:
    component_of_record: np.ndarray  # per record node: the smallest record node of its customer
    refused: list[tuple[int, int, str, str]] = field(default_factory=list)
    # (record node, identifier node, identifier type, reason)


def _smallest_record(labels: np.ndarray, record_count: int) -> np.ndarray:
    record_labels = labels[:record_count]
    unique_labels, first_record = np.unique(record_labels, return_index=True)
    smallest = np.zeros(int(labels.max()) + 1 if len(labels) else 0, np.int64)
    smallest[unique_labels] = first_record  # record nodes ascend: the first is the smallest
    return smallest[record_labels]


def resolve(record_count: int, record_nodes: np.ndarray, identifier_nodes: np.ndarray,
            identifier_types: np.ndarray, limits: dict[str, int],
            priority: list[str], apart: list[tuple[int, int, str]] = ()) -> Resolution:
    node_count = int(max(record_count, identifier_nodes.max() + 1 if len(identifier_nodes) else 0))
    graph = coo_matrix(
        (np.ones(len(record_nodes), dtype=np.int8), (record_nodes, identifier_nodes)),
        shape=(node_count, node_count),
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    labels = labels.astype(np.int64)
    if not (limits or len(apart)) or not len(record_nodes):
        return Resolution(_smallest_record(labels, record_count))

    joined_apart = [(left, right, reason) for left, right, reason in apart
                    if labels[left] == labels[right]]
    offending = np.union1d(
        _components_over_limits(labels, identifier_nodes, identifier_types, limits),
        np.array([labels[left] for left, _, _ in joined_apart], np.int64))
    refused: list[tuple[int, int, str, str]] = []
    if len(offending):
        edge_component = labels[record_nodes]
        selected = np.isin(edge_component, offending)
        refused = _rebuild(labels, record_nodes[selected], identifier_nodes[selected],
                           identifier_types[selected], limits, priority, joined_apart)
    return Resolution(_smallest_record(labels, record_count), refused)


def _components_over_limits(labels: np.ndarray, identifier_nodes: np.ndarray,
                            identifier_types: np.ndarray, limits: dict[str, int]) -> np.ndarray:
    offending = []
    for identifier_type, limit in limits.items():
        nodes = np.unique(identifier_nodes[identifier_types == identifier_type])
        if not len(nodes):
            continue
        components, counts = np.unique(labels[nodes], return_counts=True)
        offending.append(components[counts > limit])
    return np.unique(np.concatenate(offending)) if offending else np.array([], np.int64)


def _rebuild(labels: np.ndarray, record_nodes: np.ndarray, identifier_nodes: np.ndarray,
             identifier_types: np.ndarray, limits: dict[str, int], priority: list[str],
             apart: list[tuple[int, int, str]]) -> list[tuple[int, int, str, str]]:
    """Union-find over the offending components' edges, strongest type first; writes the new
    labels into `labels` (fresh label numbers) and returns the refused edges."""
    rank = {identifier_type: position for position, identifier_type in enumerate(priority)}
    order = sorted(range(len(record_nodes)), key=lambda edge: (
        rank.get(identifier_types[edge], -1), int(identifier_nodes[edge]), int(record_nodes[edge])))
    parent: dict[int, int] = {}
    counts: dict[int, dict[str, int]] = {}

    def find(node: int) -> int:
        root = node
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    # Each separated pair tags its two records with sides 1 and 2; a set holding both sides of
    # one pair would make the two records one customer.
    sides: dict[int, dict[int, int]] = {}
    reasons: dict[int, str] = {}
    for pair, (left, right, reason) in enumerate(apart):
        sides.setdefault(left, {})[pair] = sides.get(left, {}).get(pair, 0) | 1
        sides.setdefault(right, {})[pair] = sides.get(right, {}).get(pair, 0) | 2
        reasons[pair] = reason

    def separated(left_root: int, right_root: int) -> str | None:
        left, right = sides.get(left_root, {}), sides.get(right_root, {})
        for pair in left if len(left) <= len(right) else right:
            if (left.get(pair, 0) | right.get(pair, 0)) == 3:
                return reasons[pair]
        return None

    refused = []
    for edge in order:
        record, identifier = int(record_nodes[edge]), int(identifier_nodes[edge])
        identifier_type = str(identifier_types[edge])
        if identifier not in counts and identifier not in parent:
            counts[identifier] = {identifier_type: 1} if identifier_type in limits else {}
        record_root, identifier_root = find(record), find(identifier)
        if record_root == identifier_root:
            continue
        left, right = counts.get(record_root, {}), counts.get(identifier_root, {})
        merged = {key: left.get(key, 0) + right.get(key, 0) for key in {*left, *right}}
        over = [key for key, count in merged.items() if count > limits[key]]
        if over:
            key = over[0]
            refused.append((record, identifier, identifier_type,
                            f"the customer would have {merged[key]} values of {key} "
                            f"(limit {limits[key]})"))
            continue
        if (reason := separated(record_root, identifier_root)) is not None:
            refused.append((record, identifier, identifier_type,
                            f"override: never link two of its records ({reason})"))
            continue
        parent[identifier_root] = record_root
        counts[record_root] = merged
        counts.pop(identifier_root, None)
        if identifier_root in sides:
            joined = sides.setdefault(record_root, {})
            for pair, side in sides.pop(identifier_root).items():
                joined[pair] = joined.get(pair, 0) | side
    fresh = int(labels.max()) + 1
    roots: dict[int, int] = {}
    for node in parent:
        labels[node] = roots.setdefault(find(node), fresh + len(roots))
    return refused


def resolve_relations(records, edges, settings, separations) -> tuple[Resolution, int]:
    """`resolve` over the DuckDB relations of the dbt models that hold the graph
    (int_records_unioned, int_identity_edges, int_identity_separations) and the settings
    (int_identity_settings: dbt Python models cannot read vars). The models pass their own
    `dbt.ref`s, which is how dbt sees the dependency. Returns the resolution and the number of
    records."""
    record_count = records.aggregate("count(*)").fetchone()[0]
    edge_table = edges.project("record_node, identifier_node, identifier_type").to_arrow_table()
    limits, priority = settings.project(
        "max_identifiers_per_customer_json, identifier_link_priority_json").fetchone()
    resolution = resolve(
        record_count,
        edge_table.column("record_node").to_numpy().astype(np.int64),
        edge_table.column("identifier_node").to_numpy().astype(np.int64),
        np.asarray(edge_table.column("identifier_type").to_pylist(), dtype=object),
        json.loads(limits),
        json.loads(priority),
        [(int(left), int(right), str(reason)) for left, right, reason in separations.project(
            "left_record_node, right_record_node, reason").fetchall()],
    )
    return resolution, record_count
