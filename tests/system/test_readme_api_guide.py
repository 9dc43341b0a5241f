"""The README's guide "使用 API / Use the API" runs as written: its ``sh`` blocks, in order, in one bash with the
real ``curl``, against the real app served on 127.0.0.1 (an installation of its own with the demo, committing
for real). Only the address is put in for the guide's ``BASE``; between blocks the background jobs run, as
``make run``'s worker would (the notice the last block downloads)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import instance_of_its_own
from tests.fakes import free_port

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## 使用 API / Use the API"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
GUIDE_BASE = "BASE=http://127.0.0.1:8080"
DONE = "__block_done__"


def guide_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return BLOCK.findall(section)


@pytest.fixture()
def served(app, tmp_path):
    from werkzeug.serving import make_server

    with instance_of_its_own(app, tmp_path, "readme_guide") as own:
        port = free_port()
        server = make_server("127.0.0.1", port, own, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="readme-guide-web", daemon=True)
        thread.start()
        try:
            yield own, f"http://127.0.0.1:{port}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)


def _run_jobs(own) -> None:
    from app.extensions import db
    from tests.factories import run_outbox

    with own.app_context():
        try:
            run_outbox(db.session)
        finally:
            db.session.remove()


def test_the_guide_has_the_steps_it_promises():
    text = "\n".join(guide_blocks())
    assert GUIDE_BASE in text
    for needed in ("/api/v1/security/login", "Idempotency-Key", "If-Match", "/events", "/notice/acceptance"):
        assert needed in text, needed


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl binary")
def test_the_readme_api_guide_runs_as_written(served, tmp_path):
    own, url = served
    blocks = guide_blocks()
    assert len(blocks) >= 5
    shell = subprocess.Popen(["bash"], cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
    outputs: list[str] = []
    try:
        for number, block in enumerate(blocks):
            _run_jobs(own)
            script = block.replace(GUIDE_BASE, f"BASE={url}")
            # every failing command of the block (curl --fail-with-body, grep finding nothing) counts
            shell.stdin.write(f"__failed=0\ntrap '__failed=1' ERR\n{script}\ntrap - ERR\necho \"{DONE} $__failed\"\n")
            shell.stdin.flush()
            lines = []
            for line in iter(shell.stdout.readline, ""):
                if line.startswith(DONE):
                    break
                lines.append(line)
            else:
                pytest.fail(f"the shell ended in block {number}:\n{''.join(lines)}")
            output = "".join(lines)
            outputs.append(output)
            assert line.split()[1] == "0", f"block {number} failed:\n{script}\n--- output:\n{output}"
    finally:
        shell.stdin.close()
        shell.wait(timeout=30)
    assert re.search(r'rel="(first|last)"', outputs[1], re.I)
    assert "idempotent-replayed: true" in outputs[2].lower()
    assert "accepted" in outputs[3] or "受理" in outputs[3]
    assert "accept" in outputs[4]
    assert "%PDF" in outputs[5]
