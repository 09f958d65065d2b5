"""How many different people's names each customer's records carry.

A customer is one person; its records may spell the name many ways (a dropped middle name, the
given name first, a lost letter), which `cdp.identity.names` groups into one person. Two
or more groups — a household's given names, strangers joined through a shared value — mean the
customer holds more than one person: the shape check on marts.customers bounds how many records
sit in such customers, and marts.identity_suspicious_customers ranks them.
"""

import pyarrow as pa

from cdp.identity.names import cluster_names

NAMED_SQL = """
with clustered as ({clustered}),
names as ({names})
select clustered.customer_id, list(distinct names.name_key order by names.name_key) as name_keys
from clustered
inner join names on clustered.record_key = names.record_key and names.is_usable
group by clustered.customer_id
order by clustered.customer_id
"""


def model(dbt, session):
    dbt.config(materialized="table")
    rows = session.sql(NAMED_SQL.format(
        clustered=dbt.ref("int_records_clustered").sql_query(),
        names=dbt.ref("int_record_names_unioned").sql_query(),
    )).fetchall()
    customers, names_counts, people_counts = [], [], []
    for customer_id, name_keys in rows:
        groups = cluster_names([tuple(name.split()) for name in name_keys]) \
            if len(name_keys) > 1 else [0]
        customers.append(customer_id)
        names_counts.append(len(name_keys))
        # A name that fits two of the people (None) adds no one.
        people_counts.append(max(1, len({group for group in groups if group is not None})))
    return pa.table({
        "customer_id": pa.array(customers, pa.string()),
        "distinct_names_count": pa.array(names_counts, pa.int64()),
        "people_named_count": pa.array(people_counts, pa.int64()),
    })
