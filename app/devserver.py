"""``make run``: set up the database, then run web, Celery worker and Celery beat until Ctrl-C.

Web is gunicorn on 127.0.0.1:$PORT (8080 by default). All three stop together: Ctrl-C, or any one of
them exiting, stops the others. The banner with the address and the demo logins comes first; the
libraries (gunicorn, Celery, Flask-AppBuilder, Alembic) only speak up at LOG_LEVEL (WARNING by default).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

from app.logs import is_verbose

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: the queues every worker consumes: jobs, and the outbox relay with the heartbeat
WORKER_QUEUES = "celery,relay"


def _env() -> dict[str, str]:
    """The children's environment: ours (settings included), and where to find the app."""
    env = dict(os.environ)
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


def commands(port: int, log_level: str) -> dict[str, list[str]]:
    # Below INFO, no access log line per request and no Celery banners (worker: 30 lines, beat: 10).
    verbose = is_verbose(log_level)
    access_log = ["--access-logfile", "-"] if verbose else []
    celery = [str(BIN / "celery")] + ([] if verbose else ["--quiet"]) + ["-A", "workers.celery_app"]
    return {
        "web": [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
                "--log-level", log_level.lower(), *access_log, "app.factory:create_app()"],
        # the jobs queue and the relay's own (workers/celery_app.py): tests/system/test_config.py checks both
        "worker": [*celery, "worker", "--loglevel", log_level, "--concurrency", "2", "--hostname", "worker@%h",
                   "--queues", WORKER_QUEUES],
        "beat": [*celery, "beat", "--loglevel", log_level],
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


def _settings() -> ModuleType | None:
    """config.py, in demo mode unless APP_ENV says otherwise (set before config reads it, and inherited
    by the children); None, after saying why, when the environment cannot run the app."""
    os.environ.setdefault("APP_ENV", "demo")
    try:
        import config
    except RuntimeError as error:  # config.ConfigurationError: the class comes with the module that failed
        print(f"make run: {error}", file=sys.stderr)
        return None
    return config


def main() -> int:
    config = _settings()
    if config is None:
        return 2
    env = _env()
    if not config.PUBLIC_URL:  # the QR codes and SMS links of the demo lead to this server
        env["PUBLIC_URL"] = f"http://127.0.0.1:{config.PORT}"
    setup = subprocess.run([str(BIN / "flask"), "setup"], cwd=ROOT, env=env)
    if setup.returncode != 0:
        return setup.returncode
    procs = {name: subprocess.Popen(cmd, cwd=ROOT, env=env, preexec_fn=_die_with_parent)
             for name, cmd in commands(config.PORT, config.LOG_LEVEL).items()}
    print(banner(config.PORT, config.DEMO_MODE, config.DEMO_PASSWORD), flush=True)

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
