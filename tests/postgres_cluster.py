"""A throwaway PostgreSQL server for tests: its own cluster in a temporary folder, reached only through a
unix socket in that folder (no TCP), on a free port number, stopped and deleted at teardown.

Debian's server (`make test` installs package postgresql when it runs as root with apt-get) keeps its
programs in /usr/lib/postgresql/<version>/bin, off PATH. PostgreSQL refuses to run as root, so as root
the cluster belongs to the `postgres` user and its programs run through `runuser`.
In CI (CI=true) a missing server fails the tests that need it; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def server_bin() -> Path | None:
    """The folder holding initdb and pg_ctl (the newest version installed), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """initdb + pg_ctl start in a temporary folder; ``url(name)`` for a fresh database in it."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="dpup-pg-"))
        self.data, self.socket_dir, self.log = self.root / "data", self.root, self.root / "server.log"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root needs the postgres user (made by Debian's package)") from None
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._names = itertools.count(1)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "dpup", "-E", "UTF8", "--locale=C", "--no-sync")
        options = f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' -c fsync=off -c max_connections=120"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "120", "start")

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, str(self.bin / program), *args], capture_output=True, text=True, timeout=180, check=False,
            cwd=self.root,  # the server's user may not be allowed into the caller's folder
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()[-2000:]}\n{log}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://dpup@/{database}?host={self.socket_dir}&port={self.port}"

    def new_database(self) -> str:
        """A new, empty database; its URL."""
        import psycopg

        name = f"t{next(self._names)}"
        with psycopg.connect(host=str(self.socket_dir), port=self.port, user="dpup", dbname="postgres",
                             autocommit=True) as conn:  # fmt: skip
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop a database made by :meth:`new_database` (closing any connection left to it)."""
        import psycopg

        name = url.split("/")[3].split("?")[0]
        with psycopg.connect(host=str(self.socket_dir), port=self.port, user="dpup", dbname="postgres",
                             autocommit=True) as conn:  # fmt: skip
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_or_skip() -> Cluster:
    """A running cluster, or a skip (a failure in CI) saying what is missing."""
    bin_dir = server_bin()
    problem = "PostgreSQL's server is not installed (Debian package postgresql; `make test` installs it as root)"
    if bin_dir is not None:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            problem = "the psycopg driver is not installed (pip install 'dpup_eval[postgresql]')"
        else:
            return Cluster(bin_dir)
    if os.environ.get("CI"):
        pytest.fail(f"CI must test PostgreSQL too: {problem}.")
    pytest.skip(problem)
