"""A throwaway PostgreSQL server for the tests: Debian's binaries (``initdb``, ``pg_ctl`` on PATH or under
/usr/lib/postgresql/*/bin), a cluster made in a temporary directory (trust authentication, a Unix socket
in that directory and no TCP port, so test workers never collide), started once per test session (once
per pytest-xdist worker) and stopped at its end. Each test gets a fresh database copied from an empty
template (``CREATE DATABASE ... TEMPLATE``).

PostgreSQL refuses to run as root: as root, the cluster is made and run by an unprivileged user
(``postgres`` when Debian's package made it, else ``nobody``) through ``runuser``. Durability is off
(fsync, synchronous commit): a test server loses nothing worth keeping."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "rag"
PORT = 5432  # only names the socket file in our own directory
TEMPLATE = "rag_template"


def binaries() -> Path | None:
    """The directory holding initdb and pg_ctl, if PostgreSQL is installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def _run_as() -> str | None:
    """The user to run the server as (None: this one). PostgreSQL will not run as root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return None


def unavailable() -> str | None:
    """Why no test server can be started here, or None."""
    if binaries() is None:
        return "PostgreSQL is not installed (no initdb/pg_ctl on PATH or under /usr/lib/postgresql)"
    if os.geteuid() == 0 and (_run_as() is None or shutil.which("runuser") is None):
        return "running as root and no unprivileged user (postgres, nobody) or runuser to start PostgreSQL"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    return None


class PostgresServer:
    def __init__(self) -> None:
        self.bin = binaries()
        self.user = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="rag-pg-"))
        self.data = self.root / "data"
        self._names = itertools.count(1)
        self.started_s = 0.0

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        return ["runuser", "-u", self.user, "--", *cmd] if self.user else cmd

    def start(self) -> None:
        t0 = time.perf_counter()
        if self.user:
            shutil.chown(self.root, self.user)
        init = ["initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "--no-sync"]
        subprocess.run(self._cmd(*init, "-E", "UTF8", "--locale=C"), check=True, capture_output=True)
        options = (
            f"-c listen_addresses='' -k {self.root} -p {PORT} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=300"
        )
        log = str(self.root / "server.log")
        started = subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "30", "start"),
            capture_output=True,
            text=True,
        )
        if started.returncode:
            tail = Path(log).read_text()[-2000:] if Path(log).exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr}{tail}")
        self.admin(f"CREATE DATABASE {TEMPLATE}")
        self.started_s = time.perf_counter() - t0

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.root}&port={PORT}"

    def admin(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(host=str(self.root), port=PORT, user=SUPERUSER, dbname=database) as c:
            c.autocommit = True
            c.execute(sql)

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"test_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def stop(self) -> None:
        try:
            subprocess.run(
                self._cmd("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"),
                capture_output=True,
                timeout=60,
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
