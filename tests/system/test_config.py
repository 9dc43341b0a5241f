"""The configuration: config.py is the one reader of the environment, the README's table and config.py
agree, every setting is used, bad values stop the start, and LOG_LEVEL quiets the libraries."""

from __future__ import annotations

import ast
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import config

ROOT = Path(__file__).resolve().parents[2]

#: modules that may touch os.environ, and why
READS_ENVIRONMENT = {
    # run by `make fonts` with the system Python before the virtualenv exists: standard library only
    "app/documents/fetch_fonts.py": "NOTICE_FONT_DIR and the npm registry of the download script",
    # copies the environment for web, worker and beat, after setting make run's default APP_ENV for config
    "app/devserver.py": "the children's environment",
}
#: settings read from the environment that our code does not read itself
USED_BY_LIBRARIES = {
    "APP_ENV": "config.py itself (DEMO_MODE, the secret key)",
    "SECRET_KEY": "Flask",
    "AUTH_RATE_LIMIT": "Flask-AppBuilder",
    "RATELIMIT_KEY_PREFIX": "Flask-Limiter",
}
LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}  # values in the README's table, not variables


def _sources(*folders: str) -> dict[str, str]:
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
            for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))}


def _environment_reads(source: str) -> list[int]:
    """Lines that read the environment: os.environ, os.getenv, os.putenv, their names imported from os,
    and click's envvar= (an option filled from the environment)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os" \
                and node.attr in {"environ", "environb", "getenv", "getenvb", "putenv"}:
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                and any(alias.name in {"environ", "getenv", "getenvb"} for alias in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.keyword) and node.arg in {"envvar", "auto_envvar_prefix"}:
            lines.append(node.value.lineno)
    return lines


def _read_by_config() -> set[str]:
    source = (ROOT / "config.py").read_text(encoding="utf-8")
    return set(re.findall(r'(?:os\.environ\.get|_env_bool|_env_text)\(\s*"([A-Z][A-Z0-9_]*)"', source))


def _listed_in_readme() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration (environment)", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([A-Z][A-Z0-9_]*)`", section)) - LOG_LEVELS


def test_only_config_reads_the_environment():
    found = {f"{path}:{line}" for path, source in _sources("app", "workers").items()
             if path not in READS_ENVIRONMENT for line in _environment_reads(source)}
    assert not found, "read the setting in config.py and take it from current_app.config (or an argument)"


def test_the_allow_list_is_still_needed():
    sources = _sources("app", "workers")
    assert all(_environment_reads(sources[path]) for path in READS_ENVIRONMENT)


def test_the_readme_lists_every_variable_config_reads_and_no_other():
    read, listed = _read_by_config(), _listed_in_readme()
    assert read - listed == set(), "document these in the README's configuration table"
    assert listed - read == set(), "the README lists these, config.py does not read them"


def test_every_setting_read_from_the_environment_is_used():
    code = "\n".join(_sources("app", "workers").values())
    unused = {name for name in _read_by_config() & set(vars(config)) - set(USED_BY_LIBRARIES)
              if not re.search(rf'(\["{name}"\]|\("{name}"\)|\.{name}\b)', code)}
    assert unused == set()


@pytest.mark.parametrize(("name", "value", "message"), [
    ("CASE_NUMBER_FORMAT", "{center_code}-{sequence:06d}", "must name exactly {center_code}, {year} and {sequence}"),
    ("CASE_NUMBER_FORMAT", "{center_code}-{year}-{sequence:q}", "cannot make case numbers"),
    ("CASE_NUMBER_FORMAT", "{center_code}-{year}-{sequence:030d}", "longer than 40 characters"),
    ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    ("COMPLAINT_PHONE", "1" * 33, "COMPLAINT_PHONE has at most 32 characters"),
])
def test_a_bad_setting_stops_the_start_saying_why(tmp_path, name, value, message):
    env = os.environ | {"APP_ENV": "test", "INSTANCE_DIR": str(tmp_path), name: value}
    result = subprocess.run([sys.executable, "-c", "import config"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0 and "ConfigurationError" in result.stderr and message in result.stderr


def test_settings_come_from_the_environment(tmp_path):
    number_format = "{year}/{center_code}/{sequence}"
    env = os.environ | {"APP_ENV": "test", "INSTANCE_DIR": str(tmp_path), "CASE_NUMBER_FORMAT": number_format,
                        "COMPLAINT_PHONE": " 0839-12345 ", "LOG_LEVEL": "info", "PORT": "9001",
                        "NOTICE_FONT_DIR": str(tmp_path), "NOTICE_SYSTEM_FONT_DIRS": ""}
    code = ("import config; print(config.CASE_NUMBER_FORMAT, config.COMPLAINT_PHONE, config.LOG_LEVEL, config.PORT, "
            "config.NOTICE_FONT_DIR, config.NOTICE_SYSTEM_FONT_DIRS)")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.split() == [number_format, "0839-12345", "INFO", "9001", str(tmp_path), "()"]


@pytest.fixture()
def log_levels():
    names = ["", "app", "workers", "flask_appbuilder", "alembic", "werkzeug"]
    saved = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_log_level_quiets_the_libraries_not_our_jobs(log_levels):
    from app.logs import configure_logging

    configure_logging("WARNING")
    assert logging.getLogger("flask_appbuilder.security.sqla.manager").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("alembic.runtime.migration").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("workers.tasks").getEffectiveLevel() == logging.INFO
    configure_logging("DEBUG")
    assert logging.getLogger("alembic.runtime.migration").getEffectiveLevel() == logging.DEBUG
    assert logging.getLogger("app.services.demo").getEffectiveLevel() == logging.DEBUG


def test_the_complaint_hotline_is_the_configured_one(app, db, monkeypatch):
    import io

    import openpyxl

    from tests import factories
    from app.services.catalog.transfer import template

    monkeypatch.setitem(app.config, "COMPLAINT_PHONE", "0839-12345")
    assert factories.make_matter(db).complaint_phone == "0839-12345"  # a new matter that names none
    sheet = openpyxl.load_workbook(io.BytesIO(template(db))).worksheets[0]
    assert sheet["I3"].value == "0839-12345"  # the import template's example row (投诉电话)


def test_every_worker_command_consumes_the_jobs_queue_and_the_relays():
    """The relay and the heartbeat have a queue of their own (a long jobs queue delays neither): a worker
    started by ``make run``, the Procfile or the systemd unit that left one out would never hand side
    effects over, or never carry them out."""
    from app.devserver import commands
    from workers.celery_app import celery

    declared = {queue.name for queue in celery.conf.task_queues}
    routed = {route["queue"] for route in celery.conf.task_routes.values()} | {celery.conf.task_default_queue}
    assert routed == declared == {"celery", "relay"}
    worker = commands(8080, "INFO")["worker"]
    assert set(worker[worker.index("--queues") + 1].split(",")) == declared
    for path in ("docs/deploy/Procfile", "docs/deploy/kytb-worker@.service"):
        starts = [line for line in (ROOT / path).read_text().splitlines()
                  if "celery -A workers.celery_app worker" in line and not line.startswith("#")]
        assert starts and all(re.search(r"--queues celery,relay\b", line) for line in starts), path
    assert "--queues celery,relay" in (ROOT / "README.md").read_text()
