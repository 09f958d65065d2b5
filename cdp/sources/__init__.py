"""The source systems: each sub-package declares one system's exports (format, keys,
identifiers), and the registry lists the enabled ones."""
