"""One rule for what an email address is, wherever one is keyed: the models (dbt macros
`unwrap_email` and `normalize_email`), ingestion and erasure (`cdp.core.identifiers`, in Python
and in the SQL it writes for the suppression list) and the destinations
(`cdp.activation.identifiers.normalized_email`). What wraps an address is no part of it."""

from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from cdp.activation.identifiers import normalized_email
from cdp.core.identifiers import email_key, email_key_sql, salted_hash
from cdp.ingestion.suppression import Suppression
from cdp.sources.pipeline import duckdb_destination, ingest_exports
from cdp.testing.exports_builder import lay_out, write_contacts
from cdp.transformation.dbt_runner import dbt_command, release_warehouse
from tests.helpers import query

# As written -> (the address a destination is sent, the key that matches people)
WRAPPED = {
    "mailto:an@shop.vn": ("an@shop.vn", "an@shop.vn"),
    "MailTo:An.Nguyen+news@Gmail.com?subject=Hi": ("an.nguyen+news@gmail.com",
                                                    "annguyen@gmail.com"),
    '"Trần Thị Hoa" <Hoa@Yahoo.com>': ("hoa@yahoo.com", "hoa@yahoo.com"),
    "Hoa <hoa@yahoo.com>": ("hoa@yahoo.com", "hoa@yahoo.com"),
    " <hoa@yahoo.com> ": ("hoa@yahoo.com", "hoa@yahoo.com"),
    "<mailto:chi@shop.vn>": ("chi@shop.vn", "chi@shop.vn"),
    '"mailto:chi@shop.vn"': ("chi@shop.vn", "chi@shop.vn"),
    "mailto: chi@shop.vn": ("chi@shop.vn", "chi@shop.vn"),
    "'binh@shop.vn'": ("binh@shop.vn", "binh@shop.vn"),
    "\u201cbinh@shop.vn\u201d": ("binh@shop.vn", "binh@shop.vn"),
    "\u00a0binh@shop.vn\t": ("binh@shop.vn", "binh@shop.vn"),
    "Binh@Shop.vn": ("binh@shop.vn", "binh@shop.vn"),
}


def _run(sql: str, values: list[str]) -> list[str | None]:
    """The one column `sql` selects from a table `examples` (`position`, `email`) of the values,
    in their order."""
    with duckdb.connect() as connection:
        connection.execute("create table examples (position integer, email varchar)")
        connection.executemany("insert into examples values (?, ?)", list(enumerate(values)))
        return [value for (value,) in connection.execute(sql).fetchall()]


def _compiled(sql: str, target: Path) -> str:
    """`sql` with its dbt macros expanded, as the models are (with the vars every build has)."""
    result = dbtRunner().invoke([
        *dbt_command(["compile", "--quiet", "--inline", sql], target / "compile.duckdb"),
        "--target-path", str(target),
    ])
    release_warehouse()
    assert result.success, result.exception
    return result.result.results[0].node.compiled_code


@pytest.mark.unit
def test_python_keys_a_wrapped_email_as_its_address():
    assert {written: email_key(written) for written in WRAPPED} == {
        written: key for written, (_, key) in WRAPPED.items()}
    assert {written: normalized_email(written) for written in WRAPPED} == {
        written: address for written, (address, _) in WRAPPED.items()}


def test_the_models_and_the_sql_of_ingestion_key_emails_as_python_does(tmp_path):
    written = [*WRAPPED, "mailto:", "Hoa <not an address>", "not an address"]
    python_keys = [email_key(value) for value in written]
    ordered = "from examples order by position"

    assert _run(f"select {email_key_sql('email')} {ordered}", written) == python_keys
    models_keys = _compiled(f"select {{{{ normalize_email('email') }}}} {ordered}",
                            tmp_path / "keys")
    assert _run(models_keys, written) == python_keys
    models_spellings = _compiled(f"select lower({{{{ unwrap_email('email') }}}}) {ordered}",
                                 tmp_path / "spellings")
    assert _run(models_spellings, list(WRAPPED)) == [
        normalized_email(value) for value in WRAPPED]


def test_an_erased_persons_record_is_dropped_at_ingestion_however_its_email_is_wrapped(
        tmp_path, warehouse):
    exports = lay_out(tmp_path / "exports")
    write_contacts(exports, "contacts.csv", [
        {"Record ID": "1", "Email": "mailto:An.Nguyen@Shop.vn"},
        {"Record ID": "2", "Email": '"An Nguyễn" <an.nguyen@shop.vn>'},
        {"Record ID": "3", "Email": "<AN.NGUYEN@SHOP.VN>"},
        {"Record ID": "4", "Email": "binh@shop.vn"},
    ])
    # Erased as the request named them: the key is computed in Python, the records are matched
    # in SQL as they load.
    salt = "salt-of-this-test"
    erased = Suppression(salt, frozenset({
        salted_hash(salt, "email", email_key("'an.nguyen@shop.vn'"))}))
    destination, pipelines_dir = duckdb_destination(warehouse)

    report = ingest_exports(str(exports), destination, pipelines_dir, suppression=erased)

    assert query(warehouse, "select record_id from raw_crm.contacts") == [("4",)]
    [crm] = [system for system in report.systems if system.system == "crm"]
    assert [file.records_suppressed for file in crm.files] == [3]
