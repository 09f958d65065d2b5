"""Credentials and secrets come from the environment or .dlt/secrets.toml, nowhere else."""

import os


def configured_secret(variable: str, key: str) -> str | None:
    """The environment variable `variable`, else `key` (`section.name`) in .dlt/secrets.toml,
    else None. An unreadable secrets file counts as none."""
    value = os.environ.get(variable)
    if value:
        return value
    import dlt

    try:
        value = dlt.secrets.get(key)
    except Exception:  # an unreadable secrets file is the same as none, for this purpose
        value = None
    return str(value) if value else None
