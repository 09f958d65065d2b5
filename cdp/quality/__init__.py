"""Great Expectations suites, as code, over the raw tables and the marts.

GX 1.x cannot validate DuckDB through its SQL datasource, so each check reads the columns it
needs from the warehouse into a dataframe and validates that.
"""
