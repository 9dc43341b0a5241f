"""Real processes for the tests that start them: Celery workers killed mid-job, two beats at once, a Redis
restarted empty."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class GroupProcess:
    """A child process in a process group of its own, logging to ``log`` (the tests' Celery processes, and
    the web, worker, beat and Redis of bench/drills.py)."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.log_path = log
        self.log = open(log, "a")
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def kill(self) -> None:
        """SIGKILL to the whole group: no chance to finish a job or to acknowledge it."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """A warm shutdown, or a kill when it does not come within 20 s."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")


class CeleryProcess(GroupProcess):
    """``celery -A workers.celery_app <args>``."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        super().__init__([str(Path(sys.executable).parent / "celery"), "-A", "workers.celery_app", *args], env, log)


class RedisServer:
    """A ``redis-server`` of the test's own on ``port``, keeping nothing on disk (as this machine's): killed
    and started again, it comes back empty, as a restarted broker does."""

    def __init__(self, port: int, directory: Path) -> None:
        self.port, self.directory, self.process = port, directory, None
        self.url = f"redis://127.0.0.1:{port}/0"
        self.start()

    def start(self) -> None:
        import redis

        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = GroupProcess([server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                     "--appendonly", "no", "--dir", str(self.directory)], os.environ.copy(),
                                    self.directory / "redis.log")
        client, deadline = redis.Redis(port=self.port), time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.log.close()
