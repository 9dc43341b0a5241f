"""Benchmark: what the hostile uploads of issue 9 (defect 5) cost, refused by the limits and, for comparison,
decoded as they were before the limits existed.

    .venv/bin/python bench/uploads.py

Each row: seconds of one check and the growth of the process's peak RSS, in process, without a database:
- a 9400 × 9400 RGB PNG (88 megapixels, about 250 KB): refused from its header vs. decoded and re-encoded;
- an XLSX of about 200 KB with one 200 MB cell: refused by UPLOAD_MAX_UNPACKED_MB vs. read by openpyxl;
- a catalog sheet of 200,000 rows: refused by its unpacked size, or read up to IMPORT_MAX_ROWS when only the
  row cap applies; and the largest sheet accepted (IMPORT_MAX_ROWS rows), the bounded cost of a real import.
The tests build the same files (tests/hostile_files.py) and only assert refusals; timings belong here.
"""

from __future__ import annotations

import io
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "test")
os.environ.setdefault("INSTANCE_DIR", tempfile.mkdtemp(prefix="kytb-bench-"))


def measure(fn) -> tuple[float, float]:
    """Seconds of one run of ``fn`` and how far it raised the process's peak RSS (MB; C allocations such as
    Pillow's pixels included, 0 when it stayed below an earlier peak: the cheap cases run first)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    return seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024


def catalog_rows(count: int) -> bytes:
    from app.domain import catalog_sheet
    from app.domain.xlsx_stream import write_table

    header = [column.title for column in catalog_sheet.COLUMNS]
    rows = ([f"M{i // 5:06d}", "社会保障卡申领", "人力资源和社会保障", "跨省通办", 20, 10, "不收费", "0839-1234567",
             "12345", "持有效身份证件", "核验原件", (i % 5) + 1, "居民身份证", 1, "原件", "是", "是", ""]
            for i in range(count))
    out = io.BytesIO()
    write_table(out, sheet_name="清单", title=catalog_sheet.DEFAULT_TITLE, header=header, widths=[10] * len(header),
                rows=rows)
    return out.getvalue()


def main() -> None:
    import config
    from app.domain import catalog_sheet
    from app.domain.upload_checks import SheetLimits
    from app.factory import create_app
    from app.services.cases import files
    from tests import hostile_files

    app = create_app()
    names = catalog_sheet.NamesForExport(lines={"hrss": "人力资源和社会保障"}, handling_types={"kuasheng": "跨省通办"},
                                         complaint_phone="12345")
    lookup = catalog_sheet.Lookup.from_names(names)
    limits = SheetLimits.from_settings(vars(config))
    unlimited = SheetLimits(max_unpacked_bytes=2**40, max_rows=10**9, max_cell_chars=2**40)

    png = hostile_files.blank_png(9400, 9400, rgb=True)
    big_cell = hostile_files.with_big_cell(catalog_sheet.template_xlsx(names), 200 * 1024 * 1024)
    many_rows = catalog_rows(200_000)
    most_rows = catalog_rows(limits.max_rows)

    def check_png(max_megapixels: float):
        def run():
            with app.test_request_context():
                app.config["UPLOAD_MAX_MEGAPIXELS"] = max_megapixels
                try:
                    files.check_file("file", "scan.png", png)
                except files.ValidationFailed:
                    pass
        return run

    cases = [
        (f"PNG 9400×9400 ({len(png) // 1024} KB), refused from its header", check_png(config.UPLOAD_MAX_MEGAPIXELS)),
        ("PNG 9400×9400, decoded and re-encoded (no limit)", check_png(1e9)),
        (f"XLSX with a 200 MB cell ({len(big_cell) // 1024} KB), refused by the unpacked size",
         lambda: catalog_sheet.parse_catalog_xlsx(big_cell, lookup, limits)),
        ("XLSX with a 200 MB cell, read by openpyxl (no limit)",
         lambda: catalog_sheet.parse_catalog_xlsx(big_cell, lookup, unlimited)),
        (f"catalog of 200,000 rows ({len(many_rows) // 1024} KB), refused by the unpacked size",
         lambda: catalog_sheet.parse_catalog_xlsx(many_rows, lookup, limits)),
        ("catalog of 200,000 rows, read to the row cap (no unpacked limit)",
         lambda: catalog_sheet.parse_catalog_xlsx(many_rows, lookup, replace(limits, max_unpacked_bytes=2**40))),
        (f"catalog of {limits.max_rows:,} rows (the largest accepted; {len(most_rows) // 1024} KB)",
         lambda: catalog_sheet.parse_catalog_xlsx(most_rows, lookup, limits)),
    ]
    print(f"{'upload':<80} {'seconds':>8} {'+RSS MB':>8}")
    for label, run in cases:
        seconds, peak = measure(run)
        print(f"{label:<80} {seconds:8.2f} {peak:8.1f}")


if __name__ == "__main__":
    main()
