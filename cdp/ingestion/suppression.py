"""Keeping erased people out: a record carrying an identifier on the suppression list (salted
hashes written by `cdp privacy erase`) is dropped as it is read, counted, and never stored,
quarantine included."""

import re
from dataclasses import dataclass

import duckdb

from cdp.core.identifiers import (
    email_key,
    email_key_sql,
    phone_key,
    phone_key_sql,
    salted_hash,
    salted_hash_sql,
)
from cdp.ingestion.spec import ExportSpec
from cdp.ingestion.typed_records import normalized_name

_EMAILS_IN_TEXT = re.compile(r"[^\s,;\"'<>()\[\]{}:]+@[^\s,;\"'<>()\[\]{}:]+")
_NUMBERS_IN_TEXT = re.compile(r"\+?\d[\d\s.\-()]{7,18}\d")
_IDS_IN_TEXT = re.compile(r"[0-9A-Za-z#:_\-]{4,}")


@dataclass(frozen=True)
class Suppression:
    salt: str
    hashes: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.hashes)

    def drop_from(self, connection: duckdb.DuckDBPyConnection, spec: ExportSpec,
                  table: str) -> int:
        """Delete the typed rows of `table` that carry a suppressed identifier; returns how
        many."""
        tests = [test for kind, column in spec.subject_columns
                 if (test := self._hash_sql(connection, spec, table, kind, column))]
        if not tests:
            return 0
        connection.execute("create or replace temp table suppressed (identifier_hash varchar)")
        connection.executemany("insert into suppressed values (?)",
                               [(value,) for value in sorted(self.hashes)])
        condition = " or ".join(f"{test} in (select identifier_hash from suppressed)"
                                for test in tests)
        count = connection.execute(f"select count(*) from {table} where {condition}").fetchone()[0]
        if count:
            connection.execute(f"delete from {table} where {condition}")
        return count

    def _hash_sql(self, connection: duckdb.DuckDBPyConnection, spec: ExportSpec, table: str,
                  kind: str, column: str) -> str | None:
        top, _, key = column.partition(".")
        name = normalized_name(top)
        present = {row[0] for row in connection.execute(f"describe {table}").fetchall()}
        if name not in present:
            return None
        value = f'cast("{name}" as varchar)'
        if key:
            value = f"json_extract_string(\"{name}\", '$.{key}')"
        if kind == "email":
            return salted_hash_sql(self.salt, "email", email_key_sql(value))
        if kind == "phone":
            return salted_hash_sql(self.salt, "phone", phone_key_sql(value))
        prefix = spec.system if kind == "record" else "user_id"
        return salted_hash_sql(self.salt, "record", f"'{prefix}:' || {value}")

    def mentioned_in(self, text: str, system: str) -> bool:
        """Whether a line set aside (raw text) carries a suppressed email, phone or id."""
        candidates = set()
        for email in _EMAILS_IN_TEXT.findall(text):
            if key := email_key(email):
                candidates.add(salted_hash(self.salt, "email", key))
        for number in _NUMBERS_IN_TEXT.findall(text):
            if key := phone_key(number):
                candidates.add(salted_hash(self.salt, "phone", key))
        for token in _IDS_IN_TEXT.findall(text):
            candidates.add(salted_hash(self.salt, "record", f"{system}:{token}"))
            candidates.add(salted_hash(self.salt, "record", f"user_id:{token}"))
        return not candidates.isdisjoint(self.hashes)
