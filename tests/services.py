"""Redis and PostgreSQL for the team-scale tests, started by the tests themselves (a pytest plugin).

Each server runs from Debian's binaries (``bash scripts/setup-services.sh`` installs them) on
127.0.0.1, on a free port, with its data in a temporary folder, for the whole test session; it is
stopped and its folder removed at the end. Without the binaries the tests that need them are
skipped with a message that says how to install them. Nothing is ever bound beyond loopback.

Fixtures
    ``redis_server`` / ``postgres_server`` (session): the running servers.
    ``redis_url`` (per test): a ``redis://`` URL on an emptied database.
    ``pg_url`` (per test): a ``postgresql://`` URL of a new, empty database.

PostgreSQL refuses to run as root, so as root ``initdb`` and ``pg_ctl`` run as the ``postgres``
user (``runuser``) in a folder it owns.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

INSTALL_HINT = "run `bash scripts/setup-services.sh` (or `make services`) to install it from Debian's packages"
START_TIMEOUT_S = 30
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before listening on {port}")
        try:
            socket.create_connection((LOOPBACK, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {LOOPBACK}:{port} after {timeout}s")


# -- Redis ------------------------------------------------------------------------------------


class RedisServer:
    """``redis-server`` on loopback, no persistence, in a temporary folder."""

    def __init__(self, binary: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="skinaudit-redis-"))
        self.port = free_port()
        self.url = f"redis://{LOOPBACK}:{self.port}"
        self.log = open(self.dir / "redis.log", "wb")
        self.proc = subprocess.Popen(
            [binary, "--bind", LOOPBACK, "--port", str(self.port), "--dir", str(self.dir),
             "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--databases", "16"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port, self.proc)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# -- PostgreSQL -------------------------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """The newest Debian PostgreSQL ``bin`` folder (``SKINAUDIT_PG_BINDIR`` overrides it)."""
    if override := os.environ.get("SKINAUDIT_PG_BINDIR"):
        return Path(override)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostgresServer:
    """A throwaway PostgreSQL cluster: trust auth on loopback, fsync off, socket in its own folder."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        # as root the server runs as "postgres", which must reach the folder: /tmp, not a private TMPDIR
        self.dir = Path(tempfile.mkdtemp(prefix="skinaudit-pg-", dir="/tmp" if os.geteuid() == 0 else None))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql://postgres@{LOOPBACK}:{self.port}/postgres"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")
        options = (f"-c listen_addresses={LOOPBACK} -p {self.port} -c unix_socket_directories={self.dir} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        try:
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options,
                      "-w", "-t", str(START_TIMEOUT_S), "start")
        except RuntimeError:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        self._numbers = itertools.count(1)

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run([*self.as_user, str(self.bindir / tool), *args], capture_output=True, text=True,
                                cwd=self.dir, timeout=START_TIMEOUT_S + 10)
        if result.returncode != 0:
            log = self.dir / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()} {tail}")

    def create_database(self) -> str:
        """A new empty database; returns its ``postgresql://`` URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._numbers)}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(f"redis-server is not installed: {INSTALL_HINT}")
    server = RedisServer(binary)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server():
    bindir = postgres_bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL (initdb, pg_ctl) is not installed: {INSTALL_HINT}")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without `runuser`: PostgreSQL cannot be started as root")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        if os.geteuid() == 0:
            pytest.skip("running as root and there is no `postgres` user to start PostgreSQL as")
    server = PostgresServer(bindir)
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    """An emptied Redis database for this test."""
    import redis

    url = f"{redis_server.url}/0"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture
def pg_url(postgres_server) -> str:
    """A new, empty PostgreSQL database for this test."""
    return postgres_server.create_database()


# -- a stand-in audit for worker tests ----------------------------------------------------------


def fake_audit(html: str, url: str):
    """A quick, deterministic audit for worker tests (importable by spawned worker processes).

    It takes ``SKINAUDIT_TEST_AUDIT_DELAY`` seconds (default 0.01) and appends ``pid url`` to the
    file named by ``SKINAUDIT_TEST_AUDIT_LOG`` (one short ``O_APPEND`` write, so lines from
    several processes never interleave), so a test can count how often each page was audited.
    """
    from audit.models import ClaimFinding, ClaimsResult, Extraction, Link, PageAudit

    time.sleep(float(os.environ.get("SKINAUDIT_TEST_AUDIT_DELAY", "0.01")))
    if log := os.environ.get("SKINAUDIT_TEST_AUDIT_LOG"):
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(fd, f"{os.getpid()} {url}\n".encode())
        os.close(fd)
    link = Link(href=f"{url}#spam", text="cheap pills", region="footer", internal=False, spam=True)
    claim = ClaimFinding(sentence=f"{url} cures hair loss.", start=0, end=10, label="unsupported_claim",
                         category="disease_treatment", rule_ids=["test.cure"])
    extraction = Extraction(url=url, title=url, text=f"{url} cures hair loss. {len(html)}", links=[link])
    return PageAudit(extraction=extraction, claims=ClaimsResult(sentences=1, claims=[claim]), quality=50)
