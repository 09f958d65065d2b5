"""Pruning dagster-dbt's per-invocation target folders."""

import os
from pathlib import Path

import pytest

from cdp.transformation.targets import prune_dbt_targets

pytestmark = pytest.mark.unit


def _folder(path: Path, age: int) -> Path:
    (path / "compiled").mkdir(parents=True)
    (path / "manifest.json").write_text("{}")
    os.utime(path, (1_700_000_000 + age, 1_700_000_000 + age))
    return path


def test_only_the_newest_invocation_folders_are_kept(tmp_path):
    target = tmp_path / "target"
    invocations = [_folder(target / f"dbt_build-562d409-{number:07x}", age=number)
                   for number in range(5)]
    without_context = _folder(target / "a44dc42", age=-1)  # dbt.cli() without a context
    # What sits at the target root: dbt's own artifacts, and folders that merely look alike.
    for name in ("manifest.json", "partial_parse.msgpack", "perf_info.json", "dbt.log"):
        (target / name).write_text("x")
    others = [_folder(target / name, age=-5) for name in ("compiled", "run", "dbt_build-notes")]

    deleted = prune_dbt_targets(target, keep=3)

    assert sorted(deleted) == sorted([without_context, *invocations[:2]])
    assert sorted(path.name for path in target.iterdir()) == sorted(
        [path.name for path in invocations[2:]] + [path.name for path in others]
        + ["manifest.json", "partial_parse.msgpack", "perf_info.json", "dbt.log"])
    assert prune_dbt_targets(target, keep=3) == []


def test_a_missing_target_folder_is_nothing_to_prune(tmp_path):
    assert prune_dbt_targets(tmp_path / "target") == []
