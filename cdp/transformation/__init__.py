"""The dbt project and how to run it against a warehouse."""
