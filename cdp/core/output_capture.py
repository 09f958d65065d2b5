"""Everything libraries print, sent to a log file: dbt's lines, Splink's and GX's warnings,
stray logging (dbt is told `--no-use-colors` by every command that runs it: colour codes in
a file are noise). The screen is for the `cdp` command's own lines, which it writes through a
console opened on the real stdout before the capture starts."""

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def captured_output(log_file: Path) -> Iterator[logging.Handler]:
    """For the block, Python's stdout and stderr, warnings and the root logger write to
    `log_file`; yields the file's logging handler."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    previous_handlers, previous_level = root.handlers[:], root.level
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    try:
        with open(log_file, "a", encoding="utf-8") as stream, \
                contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream), \
                warnings.catch_warnings():
            warnings.simplefilter("default")
            yield handler
    finally:
        logging.captureWarnings(False)
        root.handlers = previous_handlers
        root.setLevel(previous_level)
        handler.close()
