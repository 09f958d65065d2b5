"""A failed check names the records that fail it, not only the values it tested: a count of 0
mapped customers says nothing of which record has none."""

import great_expectations as gx
import pandas as pd
import pytest

from cdp.quality.check import QualityCheck
from cdp.quality.validation import QualityValidator

pytestmark = pytest.mark.unit


def _check(record_columns: tuple[str, ...]) -> QualityCheck:
    return QualityCheck(
        name="every_record_mapped", asset=("marts", "customer_records"),
        description="Every record maps to one customer.", blocking=True, query="",
        expectations=lambda: [gx.expectations.ExpectColumnValuesToBeBetween(
            column="customers", min_value=1, max_value=1)],
        record_columns=record_columns)


def test_the_examples_of_a_failed_check_name_its_offending_records(tmp_path):
    frame = pd.DataFrame({"source": ["pos", "crm", "website"],
                          "record_id": ["#1042", "5531", "3f2a-9c"],
                          "customers": [1, 0, 2]})
    validator = QualityValidator(tmp_path)

    [failure] = validator.validate(_check(("source", "record_id")), frame).failures
    [unnamed] = validator.validate(_check(()), frame).failures

    assert failure.unexpected_count == 2
    assert failure.examples == ["source=crm, record_id=5531: 0",
                                "source=website, record_id=3f2a-9c: 2"]
    assert unnamed.examples == [0, 2]
