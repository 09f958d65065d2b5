"""Which person each record is, among the people who share one email or phone.

Only contested identifiers are here: email and phone values whose records carry two or more
different usable names. Their names are grouped into people by `identity_resolution.names`
(a dropped middle name, the given name first and one lost letter are the same person; a
household's different given names are not). A record gets its person's group, or none when it
has no usable name or names of two people: through this identifier it can join nobody.
"""

from itertools import groupby
from operator import itemgetter

import pyarrow as pa

from identity_resolution.names import cluster_names

CONTESTED_SQL = """
with identifiers as ({identifiers}),
names as ({names}),
named as (
    select identifiers.identifier_type, identifiers.identifier_value, identifiers.record_key,
        names.name_key
    from identifiers
    left join names on identifiers.record_key = names.record_key and names.is_usable
    where identifiers.identifier_type in ('email', 'phone')
),
contested as (
    select identifier_type, identifier_value
    from named
    group by identifier_type, identifier_value
    having count(distinct name_key) >= 2
)
select named.identifier_type, named.identifier_value, named.record_key,
    list(distinct named.name_key) filter (where named.name_key is not null) as name_keys
from named
inner join contested using (identifier_type, identifier_value)
group by all
order by named.identifier_type, named.identifier_value, named.record_key
"""


def model(dbt, session):
    dbt.config(materialized="table")
    rows = session.sql(CONTESTED_SQL.format(
        identifiers=dbt.ref("int_identifiers_unioned").sql_query(),
        names=dbt.ref("int_record_names_unioned").sql_query(),
    )).fetchall()
    output = {"identifier_type": [], "identifier_value": [], "record_key": [],
              "name_group": [], "people_count": []}
    for (identifier_type, identifier_value), records in groupby(rows, key=itemgetter(0, 1)):
        records = list(records)
        distinct_names = sorted({name for *_, names in records for name in names or []})
        groups = dict(zip(distinct_names, cluster_names(
            [tuple(name.split()) for name in distinct_names]), strict=True))
        people = len({group for group in groups.values() if group is not None})
        for *_, record_key, names in records:
            record_groups = {groups[name] for name in names or []}
            output["identifier_type"].append(identifier_type)
            output["identifier_value"].append(identifier_value)
            output["record_key"].append(record_key)
            output["name_group"].append(record_groups.pop() if len(record_groups) == 1 else None)
            output["people_count"].append(people)
    return pa.table(output, schema=pa.schema([
        ("identifier_type", pa.string()), ("identifier_value", pa.string()),
        ("record_key", pa.string()), ("name_group", pa.int64()), ("people_count", pa.int64()),
    ]))
