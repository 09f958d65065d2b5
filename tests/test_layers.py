"""The layers hold: `lint-imports` checks the contracts in pyproject.toml ([tool.importlinter]),
so a module that imports a layer above its own fails the suite, naming the import."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.unit
def test_every_import_keeps_to_the_layers():
    result = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]
