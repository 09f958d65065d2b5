"""Which person each record is, among the people who share one email or phone.

Only contested identifiers are here: email and phone values whose records carry two or more
different usable names. Their names are grouped into people by `cdp.identity.names`
(a dropped middle name, the given name first and one lost letter are the same person; a
household's different given names are not). A record gets its person's group, or none when it
has no usable name or names of two people: through this identifier it can join nobody.

Python only groups each value's distinct names; DuckDB gives every record its group.
"""

from itertools import groupby
from operator import itemgetter

import pyarrow as pa

from cdp.identity.names import cluster_names

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
select named.*
from named
inner join contested using (identifier_type, identifier_value)
"""

RECORD_GROUPS_SQL = """
with people as (
    select distinct identifier_type, identifier_value, people_count from name_groups
)
select
    contested.identifier_type,
    contested.identifier_value,
    contested.record_key,
    -- A record's names must all be one person's; no usable name, or two people's, says nobody.
    case
        when count(distinct coalesce(name_groups.name_group, -1))
            filter (where contested.name_key is not null) = 1
            then min(name_groups.name_group)
    end as name_group,
    any_value(people.people_count) as people_count
from contested
inner join people using (identifier_type, identifier_value)
left join name_groups using (identifier_type, identifier_value, name_key)
group by all
"""


def _name_groups(names: list[tuple[str, str, str]]) -> pa.Table:
    """One row per (identifier, distinct name) with its group and the identifier's people."""
    output = {"identifier_type": [], "identifier_value": [], "name_key": [],
              "name_group": [], "people_count": []}
    for (identifier_type, identifier_value), rows in groupby(names, key=itemgetter(0, 1)):
        distinct_names = [name for *_, name in rows]
        groups = cluster_names([tuple(name.split()) for name in distinct_names])
        people = len({group for group in groups if group is not None})
        output["identifier_type"].extend([identifier_type] * len(groups))
        output["identifier_value"].extend([identifier_value] * len(groups))
        output["name_key"].extend(distinct_names)
        output["name_group"].extend(groups)
        output["people_count"].extend([people] * len(groups))
    return pa.table(output, schema=pa.schema([
        ("identifier_type", pa.string()), ("identifier_value", pa.string()),
        ("name_key", pa.string()), ("name_group", pa.int64()), ("people_count", pa.int64()),
    ]))


def model(dbt, session):
    dbt.config(materialized="table")
    contested = session.sql(CONTESTED_SQL.format(
        identifiers=dbt.ref("int_identifiers_unioned").sql_query(),
        names=dbt.ref("int_record_names_unioned").sql_query(),
    )).to_arrow_table()
    session.register("contested", contested)
    names = session.sql(
        "select distinct identifier_type, identifier_value, name_key from contested "
        "where name_key is not null order by all").fetchall()
    session.register("name_groups", _name_groups(names))
    record_groups = session.sql(RECORD_GROUPS_SQL).to_arrow_table()
    session.unregister("contested")
    session.unregister("name_groups")
    return record_groups
