"""A warehouse-native customer data platform: dlt loads the exports, dbt resolves identities and
builds the marts, Dagster runs the nights. The package map is in docs/architecture.md."""
