"""A real PostgreSQL server the tests start themselves, from the Debian `postgresql` package
`./dev install` puts on the machine (when run as root). On a machine without it, the tests
that need one skip and say why."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

SUPERUSER, SUPERUSER_PASSWORD = "postgres", "superuser-of-the-tests"


def postgres_bin() -> Path | None:
    """The folder of the newest installed server's programs (initdb, pg_ctl), or None."""
    folders = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                     key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit()
                     else 0, reverse=True)
    for folder in folders:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def why_no_server() -> str | None:
    """None when a server can be started here, else the reason it cannot."""
    if postgres_bin() is None:
        return ("no PostgreSQL server on this machine: `./dev install` installs Debian's "
                "postgresql package when run as root (CI does)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a `postgres` user to run the server as"
    return None


class PostgresServer:
    """One throwaway cluster on 127.0.0.1 and a free port, password logins only."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="cdp-postgres-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self._as_root = os.geteuid() == 0

    def start(self) -> "PostgresServer":
        password_file = self.folder / "password"
        password_file.write_text(SUPERUSER_PASSWORD)
        if self._as_root:  # initdb and postgres refuse to run as root
            shutil.chown(self.folder, "postgres")
            shutil.chown(password_file, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                  "-A", "scram-sha-256", f"--pwfile={password_file}", "--encoding=UTF8",
                  "--locale=C.UTF-8")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.folder / "server.log"), "-w", "-t", "60", "start", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off -c full_page_writes=off")
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                      "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, user: str = SUPERUSER, password: str = SUPERUSER_PASSWORD,
            database: str = "postgres") -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def superuser(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(database=database), autocommit=True)

    def _run(self, *command: str) -> None:
        if self._as_root:
            # runuser lives in /usr/sbin, which a CI's PATH may leave out.
            runuser = shutil.which("runuser", path=f"{os.environ.get('PATH', '')}:"
                                                   "/usr/sbin:/sbin:/usr/bin:/bin")
            if runuser is None:
                raise RuntimeError("running as root, and no runuser to start the server as "
                                   "the postgres user")
            command = (runuser, "-u", "postgres", "--", *command)
        completed = subprocess.run(command, capture_output=True, text=True, cwd=self.folder)
        if completed.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:6])} failed: "
                               f"{(completed.stderr or completed.stdout).strip()}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
