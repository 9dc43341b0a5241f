"""Benchmark: the work ledger of 100,000 rows to XLSX, against the same rows through the csv module.

    .venv/bin/python bench/ledger.py [--rows 100000] [--write-docs]

Both runs read the same rows from the same database query (the export's real path) in the same process.
Reports seconds, the ratio XLSX/csv (goal: at most 4) and the peak Python memory of each export
(tracemalloc; goal: under 200 MB), plus the process's peak RSS. With --write-docs the figures replace
the "## Ledger" section of docs/PERFORMANCE.md, with the machine they came from.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "test")
os.environ.setdefault("INSTANCE_DIR", tempfile.mkdtemp(prefix="kytb-bench-"))


def fill(session, rows: int) -> None:
    """One demo case copied ``rows`` times, each with a ledger row at the 利州区 window."""
    from sqlalchemy import insert, select

    from app.models.case import Case, LedgerEntry, new_public_token
    from tests import factories

    template = factories.make_case(session)
    columns = {c.key: getattr(template, c.key) for c in Case.__table__.columns
               if c.key not in ("id", "number", "public_token")}
    center_id = template.origin_center_id
    start = date(2026, 1, 1)
    for offset in range(0, rows, 5000):
        chunk = range(offset, min(rows, offset + 5000))
        session.execute(insert(Case), [columns | {"number": f"BENCH-{i:07d}", "public_token": new_public_token()} for i in chunk])
        ids = session.scalars(select(Case.id).where(Case.number.in_([f"BENCH-{i:07d}" for i in chunk]))).all()
        session.execute(insert(LedgerEntry), [{
            "center_id": center_id, "case_id": case_id, "role": "origin", "entry_date": start + timedelta(days=i % 300),
            "applicant_name": "李晓梅", "applicant_phone": "13908121234", "handling_type_name": "跨省通办",
            "region_name": "广元市苍溪县", "matter_name": "企业职工基本养老保险关系转移接续", "handler_name": "张丽",
            "case_status": "accepted", "remarks": "材料已由受理(代收)部门核验原件" if i % 3 == 0 else "",
        } for i, case_id in zip(chunk, ids)])
        session.commit()


def measure(fn, repeat: int = 3) -> tuple[float, float]:
    """Median seconds of ``repeat`` untraced runs, then one traced run for the peak memory (MB)."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return sorted(timings)[len(timings) // 2], peak / 2**20


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def write_docs(text: str) -> None:
    path = ROOT / "docs" / "PERFORMANCE.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    head, marker, rest = current.partition("## Ledger")
    tail = rest[rest.find("\n## ") + 1:] if "\n## " in rest else ""
    path.write_text(head.rstrip() + "\n\n" + text.rstrip() + "\n\n" + tail, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    from app.cli import setup
    from app.extensions import db
    from app.factory import create_app
    from app.scope import reach_of
    from app.services.exports.ledger import HEADER, LedgerFilter, ledger_rows, write_ledger_xlsx

    app = create_app()
    with app.app_context():
        setup(with_demo=True)
        session = db.session
        fill(session, args.rows)
        from tests import factories

        reach = reach_of(factories.user(session, "lz_window"))
        flt = LedgerFilter()

        def to_csv() -> None:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(HEADER)
            for row in ledger_rows(session, reach, flt):
                writer.writerow(row[:8])

        def to_xlsx() -> None:
            write_ledger_xlsx(session, reach, flt, io.BytesIO())

        to_csv(), to_xlsx()  # warm-up: caches, compiled statements, file system
        csv_s, csv_mb = measure(to_csv)
        xlsx_s, xlsx_mb = measure(to_xlsx)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = xlsx_s / csv_s
    report = "\n".join([
        "## Ledger",
        "",
        f"`bench/ledger.py`, {args.rows:,} ledger rows read from SQLite, {date.today().isoformat()}, on {machine()}.",
        "",
        "| export | seconds | peak Python memory (MB) |",
        "|---|---|---|",
        f"| csv module (baseline) | {csv_s:.2f} | {csv_mb:.1f} |",
        f"| XLSX (app.domain.xlsx_stream) | {xlsx_s:.2f} | {xlsx_mb:.1f} |",
        "",
        f"Ratio XLSX/csv: **{ratio:.2f}×** (goal ≤ 4×). Peak RSS of the whole benchmark process, "
        f"database fill included: {rss_mb:.0f} MB (goal for the export: < 200 MB).",
    ])
    print(report)
    if args.write_docs:
        write_docs(report)


if __name__ == "__main__":
    main()
