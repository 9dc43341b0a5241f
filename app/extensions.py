"""Flask extensions shared by the app factory, the services and the workers."""

from __future__ import annotations

from flask_appbuilder.models.sqla.base import SQLA
from flask_wtf.csrf import CSRFProtect

db = SQLA()
csrf = CSRFProtect()
