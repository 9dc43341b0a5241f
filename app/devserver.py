"""``make run``: set up the database, then run web, Celery worker and Celery beat until Ctrl-C.

Web is gunicorn on 127.0.0.1:$PORT (8080 by default). All three stop together: Ctrl-C, or any one of
them exiting, stops the others.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("APP_ENV", "demo")
    env.setdefault("FLASK_APP", "app.factory:create_app")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _die_with_parent() -> None:
    """Runs in each child before exec: its own process group (Ctrl-C reaches only the launcher, which
    stops the children in order), and on Linux a SIGTERM when the launcher itself dies, so a killed
    launcher never leaves a web server or worker behind."""
    os.setsid()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def commands(port: int) -> dict[str, list[str]]:
    return {
        "web": [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
                "--access-logfile", "-", "app.factory:create_app()"],
        "worker": [str(BIN / "celery"), "-A", "workers.celery_app", "worker", "--loglevel", "INFO",
                   "--concurrency", "2", "--hostname", "worker@%h"],
        "beat": [str(BIN / "celery"), "-A", "workers.celery_app", "beat", "--loglevel", "INFO"],
    }


def banner(port: int, demo: bool, password: str) -> str:
    lines = [
        "",
        "=" * 72,
        f"  广元市政务服务“跨域通办”管理系统  http://127.0.0.1:{port}/",
        "  web, Celery worker and Celery beat are running; Ctrl-C stops all of them.",
    ]
    if demo:
        from app.demo.data import USERS

        lines.append(f"  Demo logins (password {password}):")
        for user in USERS:
            lines.append(f"    {user['username']:<11} {user['role']:<18} {user.get('display_name', '')}")
    lines.append("=" * 72)
    return "\n".join(lines)


def main() -> int:
    env = _env()
    port = int(env.get("PORT", "8080"))
    setup = subprocess.run([str(BIN / "flask"), "setup"], cwd=ROOT, env=env)
    if setup.returncode != 0:
        return setup.returncode
    procs = {name: subprocess.Popen(cmd, cwd=ROOT, env=env, preexec_fn=_die_with_parent)
             for name, cmd in commands(port).items()}
    print(banner(port, env["APP_ENV"] == "demo", env.get("DEMO_PASSWORD", "Demo#2026gy")), flush=True)

    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(p.poll() is None for p in procs.values()):
            time.sleep(0.5)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    exited = [name for name, p in procs.items() if p.returncode not in (0, -signal.SIGTERM, None)]
    if exited and not stopping:
        print(f"stopped because {', '.join(exited)} exited", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
