"""One error type for every way a command ends early, carrying its exit code.

The exit codes are the same for every `cdp` command: 0 done; 1 failed, nothing published;
2 bad usage, settings or exports folder; 3 done, but some files were set aside and need a look;
75 the warehouse is in use by another run (try again later); 130 interrupted."""

from enum import IntEnum


class ExitCode(IntEnum):
    DONE = 0
    FAILED = 1
    USAGE = 2
    SET_ASIDE = 3
    LOCKED = 75
    INTERRUPTED = 130


class CdpError(Exception):
    """The command stops: `str(error)` is the one line printed, `exit_code` the process's."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code
