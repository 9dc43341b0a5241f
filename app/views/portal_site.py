"""/portal/: the static applicant portal served by this app (development and small installations; any static
host serves the same folder). Plain files from PORTAL_DIR, no login; built on the first request when the
folder has no site yet (a fresh ``make run`` before its worker has built it)."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, send_from_directory

from app.extensions import db
from app.services.public.portal import publish_portal

blueprint = Blueprint("portal", __name__)
_first_build = threading.Lock()


def _site() -> Path:
    folder = Path(current_app.config["PORTAL_DIR"])
    if not (folder / "index.html").is_file():
        with _first_build:
            if not (folder / "index.html").is_file():
                publish_portal(db.session)
    return folder


@blueprint.route("/portal")
def portal_root() -> Response:
    return redirect("/portal/", code=301)


@blueprint.route("/portal/", defaults={"filename": "index.html"})
@blueprint.route("/portal/<path:filename>")
def portal_file(filename: str) -> Response:
    folder = _site()
    if filename.endswith("/"):
        filename += "index.html"
    return send_from_directory(folder, filename, max_age=60)  # a path outside the folder answers 404
