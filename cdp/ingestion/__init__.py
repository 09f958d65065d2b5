"""What the four export loaders share: finding new files, reading them in bulk with DuckDB into
Arrow, setting bad rows aside, and the dlt resource that ties these together."""
