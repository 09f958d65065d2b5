-- Connected components in set-based SQL, for warehouses without Python models (Postgres,
-- Spark). Same answer as the Python engine: each record labelled by its component's smallest
-- record node.
{{ config(post_hook="drop table if exists " ~ components_work_table(this)) }}

{{ connected_components(ref('int_identity_edges'), ref('int_records_unioned')) }}
