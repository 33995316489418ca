"""A throwaway PostgreSQL cluster for the tests and benchmarks: Debian's binaries, a temporary folder.

initdb refuses to run as root, so under root the cluster belongs to the `postgres` system user
(which Debian's postgresql package creates) and its programs run through `runuser`. The server
listens on a Unix socket in the temporary folder only (no TCP), on a port no other cluster uses;
the system's own cluster, if any, is never touched.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

SYSTEM_USER = "postgres"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def unavailable() -> str | None:
    """Why no cluster can be started here (None: one can)."""
    if _bin_dir() is None:
        return "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            return f"running as root, and there is no {SYSTEM_USER!r} user to run initdb as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """initdb + pg_ctl start in a temporary folder; `database()` makes a fresh, empty database."""

    def __init__(self, settings: dict[str, str] | None = None):
        bin_dir = _bin_dir()
        assert bin_dir is not None, unavailable()
        self.folder = Path(tempfile.mkdtemp(prefix="centroid-pg-"))
        self.port = _free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam(SYSTEM_USER)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self._as_user = ["runuser", "-u", SYSTEM_USER, "--"]
        self._pg_ctl = str(bin_dir / "pg_ctl")
        data = self.folder / "data"
        self._run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        options = {"listen_addresses": "''", "unix_socket_directories": f"'{self.folder}'", "port": str(self.port),
                   **(settings or {})}
        self._run(self._pg_ctl, "-D", str(data), "-l", str(self.folder / "log"), "-w", "-t", "60",
                  "-o", " ".join(f"-c {k}={v}" for k, v in options.items()), "start")
        self.data = data

    def _run(self, *command: str) -> None:
        done = subprocess.run([*self._as_user, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.folder / "log"
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}"
                               + (log.read_text()[-2000:] if log.exists() else ""))

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@/{dbname}?host={self.folder}&port={self.port}"

    def database(self) -> str:
        """The URL of a new, empty database in the cluster."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(self._pg_ctl, "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
