"""Moved to `cdp.core.identifiers` (ingestion keys emails there too, below privacy). These names
stay importable from here only until the last importers (cdp/ingestion/suppression.py,
cdp/privacy/erasure.py, cdp/privacy/subjects.py) import the core module."""

from cdp.core.identifiers import (
    email_key,
    email_key_sql,
    phone_key,
    phone_key_sql,
    salted_hash,
    salted_hash_sql,
)

__all__ = ["email_key", "email_key_sql", "phone_key", "phone_key_sql", "salted_hash",
           "salted_hash_sql"]
