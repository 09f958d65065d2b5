"""Identity resolution algorithms the dbt Python models call: name matching, components."""
