"""Issue 15's first "done when": the example client ``docs/examples/api_walk.py``, which uses only the REST API,
registers, works and archives a case, downloads its notice, exports the ledger, reads the reminders and follows
the event feed — run as written, as its own process, against the product started as `make run` starts it (web,
worker and beat: the notices and files are made in the background, as in production)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "examples" / "api_walk.py"


def test_a_client_using_only_the_api_works_a_case_from_registration_to_archive(running, tmp_path):
    base, _proc, _env, log_path = running
    out = tmp_path / "walk"
    done = subprocess.run([sys.executable, str(SCRIPT), base, "--password", DEMO_PASSWORD, "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}\n{log_path.read_text()[-3000:]}"
    summary = json.loads(done.stdout.strip().splitlines()[-1])

    assert summary["status"] == "archived" and summary["case_number"]
    assert summary["events"] == ["register", "accept", "dispatch", "receive", "forward", "complete",
                                 "send_result", "deliver", "archive"]
    assert (out / "acceptance.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "ledger.xlsx").read_bytes().startswith(b"PK")  # an XLSX is a zip
    assert summary["reminders"] is not None
