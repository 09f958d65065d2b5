"""Connected components of the record-identifier graph, with scipy, within cardinality limits.

Records that share an identifier, directly or through a chain of records, are one customer —
unless the customer would then hold more user ids, CRM contacts, emails or phones than
`max_identifiers_per_customer` allows: then the weakest links (`identifier_link_priority`) are
refused (see cdp/identity/components.py and int_identity_links_capped). scipy labels
every component in one linear pass however long the chains. Components are named by their
smallest record node, as the SQL engine names them.
"""

import numpy as np
import pyarrow as pa

from cdp.identity.components import resolve_relations


def model(dbt, session):
    dbt.config(materialized="table")
    resolution, record_count = resolve_relations(
        dbt.ref("int_records_unioned"), dbt.ref("int_identity_edges"),
        dbt.ref("int_identity_settings"), dbt.ref("int_identity_separations"))
    return pa.table({
        "record_node": np.arange(record_count, dtype=np.int64),
        "component_id": resolution.component_of_record,
    })
