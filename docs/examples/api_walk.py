"""一件跨域通办件，只用 API 走完 / One case worked from registration to archive through the REST API alone.

What a provincial platform's or a window's own client does, with nothing but HTTP (``requests``):

1. reads the event feed up to now (``GET /api/v1/events/``) and remembers its cursor;
2. looks up, in the clerks' registration directory, where a matter may be registered (``GET
   /api/v1/registration_directory/``) and the matter's extra form fields (``GET /api/v1/matter/<id>``);
3. registers the case at 利州区 for 苍溪县's department (``POST /api/v1/case/`` with an ``Idempotency-Key``:
   sent twice, it registers once), then works every step with ``If-Match``: accept, dispatch, receive, forward,
   complete (with its result document), send the result back, deliver, archive — uploading the scans the archive
   asks for;
4. downloads its notices, exports the work ledger, reads the clerk's reminders and marks them read;
5. follows the event feed from the cursor of step 1 and checks it tells the whole story, in order.

Usage (a running installation with the demo data, e.g. ``make run``)::

    python docs/examples/api_walk.py http://127.0.0.1:8080 --password 'Demo#2026gy' --out /tmp/walk

It prints what it did, one line per call, and a JSON summary last; any unexpected answer stops it with the
answer's body (exit status 1). Runs as written in ``tests/system/test_api_walk.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests

#: the demo applicant (a valid resident ID and mobile number)
APPLICANT = {"applicant_name": "李晓梅", "applicant_id_type": "resident_id", "applicant_id_number": "11010519491231002X",
             "applicant_phone": "13908121234", "applicant_address": "四川省广元市利州区东坝街道嘉陵路南段一百二十八号",
             "applicant_postcode": "628017"}
MATTER_CODE = "KYTB-HRSS-001"  # 社会保障卡申领 (人社)
HOME_CENTER_CODE = "GYCX"  # 苍溪县政务服务中心
PATIENCE_SECONDS = 120  # the worker renders notices and builds files in the background


class Refused(RuntimeError):
    pass


class Client:
    """One user's JWT session against the API."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base, self.username = base.rstrip("/"), username
        answer = requests.post(f"{self.base}/api/v1/security/login", timeout=30,
                               json={"username": username, "password": password, "provider": "db"})
        self._check(answer, "POST", "/api/v1/security/login", (200,))
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def call(self, method: str, path: str, expect: tuple[int, ...] = (200,), headers: dict | None = None,
             **kwargs: Any) -> requests.Response:
        answer = requests.request(method, f"{self.base}{path}", headers={**self.headers, **(headers or {})},
                                  timeout=60, **kwargs)
        self._check(answer, method, path, expect)
        return answer

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs).json()

    def _check(self, answer: requests.Response, method: str, path: str, expect: tuple[int, ...]) -> None:
        print(f"{getattr(self, 'username', '-'):>10}  {method:<4} {path}  → {answer.status_code}")
        if answer.status_code not in expect:
            raise Refused(f"{method} {path} answered {answer.status_code}: {answer.text[:2000]}")


def read_feed(client: Client, after: int | None) -> tuple[list[dict], int | None]:
    """Every event after ``after``, following ``next`` until the feed has no more; and the last cursor."""
    events: list[dict] = []
    while True:
        query = "" if after is None else f"?after={after}"
        page = client.get(f"/api/v1/events/{query}")
        events += page["result"]
        after = page["next"] if page.get("next") is not None else after
        if not page.get("more"):
            return events, after


def directory_choice(clerk: Client) -> dict[str, Any]:
    """The matter, handling type, home window and department, each chosen from what the directory offers."""
    offered = clerk.get("/api/v1/registration_directory/")
    matter = next(m for m in offered["matters"] if m["code"] == MATTER_CODE)
    offered = clerk.get(f"/api/v1/registration_directory/?matter={matter['id']}")
    handling_type = offered["handling_types"][0]
    offered = clerk.get(f"/api/v1/registration_directory/?matter={matter['id']}&handling_type={handling_type['id']}")
    home = next(c for c in offered["home_centers"] if c["code"] == HOME_CENTER_CODE)
    offered = clerk.get(f"/api/v1/registration_directory/?matter={matter['id']}&handling_type={handling_type['id']}"
                        f"&home_center={home['id']}")
    department = offered["departments"][0]
    return {"matter_id": matter["id"], "handling_type_id": handling_type["id"], "home_center_id": home["id"],
            "department_id": department["id"]}


def form_values_for(clerk: Client, matter_id: int) -> dict[str, Any]:
    """A value for every required extra field the matter's published guide asks (补充信息)."""
    fields = clerk.get(f"/api/v1/matter/{matter_id}")["result"].get("form_fields") or []
    samples = {"text": "示例", "address": "四川省广元市苍溪县陵江镇 2 号", "number": 1, "date": "2026-01-01",
               "yes_no": True, "id_number": APPLICANT["applicant_id_number"], "phone": APPLICANT["applicant_phone"]}
    values: dict[str, Any] = {}
    for field in fields:
        if field.get("required"):
            values[field["key"]] = (field.get("choices") or [None])[0] if field["kind"] == "choice" \
                else samples.get(field["kind"], "示例")
    return values


def step(client: Client, case: dict, name: str, body: dict | None = None) -> dict:
    """A step of the process, sent with the version read (If-Match): a stale read is refused, never lost."""
    answer = client.call("POST", f"/api/v1/case/{case['id']}/{name}", json=body or {},
                         headers={"If-Match": f'"{case["version"]}"'})
    return answer.json()["result"]


def scan_every_material(clerk: Client, case: dict, scan: bytes) -> None:
    for material in clerk.get(f"/api/v1/case/{case['id']}/materials")["result"]:
        if material.get("received") and not material.get("scanned"):
            clerk.call("POST", f"/api/v1/case/{case['id']}/materials/{material['id']}/scan", expect=(200, 201),
                       files={"file": (f"{material['name']}.pdf", scan, "application/pdf")})


def wait_for(what: str, attempt) -> Any:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        try:
            return attempt()
        except Refused:
            if time.monotonic() > deadline:
                raise
            print(f"            … waiting for {what}")
            time.sleep(2)


def tiny_pdf() -> bytes:
    """A real one-page PDF, as a scanner makes (minus the picture): header, objects, cross-reference table."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<<>>>>"]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def walk(base: str, password: str, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    lz, cx, hrss = (Client(base, name, password) for name in ("lz_window", "cx_window", "cx_hrss"))
    _, cursor = read_feed(lz, None)

    body = {**APPLICANT, **directory_choice(lz)}
    body["form_values"] = form_values_for(lz, body["matter_id"])
    key = {"Idempotency-Key": str(uuid.uuid4())}
    case = lz.call("POST", "/api/v1/case/", expect=(201,), json=body, headers=key).json()["result"]
    again = lz.call("POST", "/api/v1/case/", expect=(201,), json=body, headers=key)
    assert again.json()["result"]["id"] == case["id"], "the same Idempotency-Key registered a second case"

    case = step(lz, case, "accept", {"verified": [m["seq"] for m in case["materials"]]})
    scan_every_material(lz, case, tiny_pdf())
    waybill = f"EMS{uuid.uuid4().int % 10**10:010d}CN"
    case = step(lz, case, "dispatch", {"waybill_number": waybill, "carrier": "EMS"})
    case = step(cx, case, "receive")
    case = step(cx, case, "forward", {"note": "转县人社局"})
    hrss.call("POST", f"/api/v1/case/{case['id']}/results", expect=(201,),
              files={"file": ("办理结果.pdf", tiny_pdf(), "application/pdf")})
    case = step(hrss, lz.get(f"/api/v1/case/{case['id']}")["result"], "complete",
                {"result": "approved", "result_note": "准予办理"})
    case = step(cx, case, "send_result", {"waybill_number": f"EMS{uuid.uuid4().int % 10**10:010d}CN"})
    case = step(lz, case, "deliver")
    case = wait_for("the notices the archive needs",
                    lambda: step(lz, lz.get(f"/api/v1/case/{case['id']}")["result"], "archive"))

    notices = {}
    for kind in ("acceptance",):
        pdf = wait_for(f"the {kind} notice", lambda: lz.call("GET", f"/api/v1/case/{case['id']}/notice/{kind}"))
        (out / f"{kind}.pdf").write_bytes(pdf.content)
        notices[kind] = len(pdf.content)

    ledger = lz.call("POST", "/api/v1/ledger/export", expect=(200, 202), json={"kind": "xlsx"})
    if ledger.status_code == 202:  # a large ledger: a background job, followed to its file
        job = ledger.json()
        job_id = job.get("id") or job["result"]["id"]
        wait_for("the ledger export", lambda: lz.call("GET", f"/api/v1/export/{job_id}/file"))
        ledger = lz.call("GET", f"/api/v1/export/{job_id}/file")
    (out / "ledger.xlsx").write_bytes(ledger.content)

    reminders = lz.get("/api/v1/reminder/")
    lz.call("POST", "/api/v1/reminder/read", expect=(200,), json={})

    events, _ = read_feed(lz, cursor)
    story = [e["action"] for e in events if e["case_id"] == case["id"]]
    return {"case_id": case["id"], "case_number": case["number"], "status": case["status"], "notices": notices,
            "ledger_bytes": len(ledger.content), "reminders": reminders.get("count"), "events": story}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="where the installation answers, e.g. http://127.0.0.1:8080")
    parser.add_argument("--password", required=True, help="the demo users' password")
    parser.add_argument("--out", type=Path, default=Path("api-walk"), help="where the downloads go")
    args = parser.parse_args(argv)
    try:
        summary = walk(args.base, args.password, args.out)
    except Refused as refusal:
        print(f"REFUSED: {refusal}", file=sys.stderr)
        return 1
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
