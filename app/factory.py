"""The application factory."""

from __future__ import annotations

import contextlib
from typing import Any

from flask import Flask, session
from flask_appbuilder import AppBuilder
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from app.adapters import storage
from app.extensions import csrf, db
from app.logs import configure_logging


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """SQLite ignores foreign keys unless told, and Python's driver mishandles transactions
    (it defers BEGIN, which breaks SAVEPOINTs): we take over BEGIN ourselves (SQLAlchemy's recipe)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE: web, worker and beat share one file; a transaction that reads and then writes would
    # otherwise fail with "database is locked" when another process wrote in between.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _configure_sqlite(app: Flask) -> None:
    """Only our own engine: Celery's SQLite broker (kombu) keeps its own transaction handling."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)


def _configure_documents(app: Flask) -> None:
    """The documents package also runs without an app (benchmarks): it gets our settings here."""
    from app.documents import fonts

    fonts.configure(app.config["NOTICE_FONT_DIR"], app.config["NOTICE_SYSTEM_FONT_DIRS"])


class TrustedProxies:
    """werkzeug's ProxyFix for the number of trusted proxies the settings name (PROXY_FIX_X_FOR,
    PROXY_FIX_X_PROTO), read at each request; with none, the headers are left alone and not believed."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        x_for, x_proto = self.app.config["PROXY_FIX_X_FOR"], self.app.config["PROXY_FIX_X_PROTO"]
        if not (x_for or x_proto):
            return self.wsgi_app(environ, start_response)
        return ProxyFix(self.wsgi_app, x_for=x_for, x_proto=x_proto, x_host=0, x_port=0,
                        x_prefix=0)(environ, start_response)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(config.INSTANCE_DIR),
        template_folder=str(config.BASE_DIR / "templates"),
        static_folder=str(config.BASE_DIR / "app" / "static"),
        static_url_path="/static/app",
    )
    config.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    # the SQLite database, the stored files and the secret key live here: not for other users of the machine
    with contextlib.suppress(PermissionError):  # a directory the service does not own stays as its owner set it
        config.INSTANCE_DIR.chmod(storage.DIRECTORY_MODE)
    app.config.from_object(config)
    app.config.update(overrides or {})
    from app.security.passwords import validate_password_complexity

    app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = validate_password_complexity
    from app.labels import APP_TITLE

    # FAB prints APP_NAME in every page title: translated, so English pages read English
    app.config["APP_NAME"] = APP_TITLE
    configure_logging(app.config["LOG_LEVEL"])  # before AppBuilder, which talks while it starts
    _configure_documents(app)

    db.init_app(app)
    _configure_sqlite(app)
    # CSRF before FAB: FAB then exempts its API blueprints (JWT) and the forms stay protected.
    csrf.init_app(app)

    # Every save rule and job handler is declared by its use-case module: import them all now.
    from app.services import load_use_cases

    load_use_cases()
    with app.app_context():
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        from app.api import register_apis
        from app.platform.fab import offer_only_sortable_columns
        from app.views import register_views

        register_views(appbuilder)
        register_apis(appbuilder)
        offer_only_sortable_columns(appbuilder)

    from app.cli import register_cli
    from app.web import register_web

    register_cli(app)
    register_web(app)
    from app.health import blueprint as health_blueprint

    app.register_blueprint(health_blueprint)
    csrf.exempt(health_blueprint)
    from app.views.portal_site import blueprint as portal_site

    app.register_blueprint(portal_site)  # /portal/: the applicant's static site (issue 13)

    app.wsgi_app = TrustedProxies(app)  # type: ignore[method-assign]

    @app.before_request
    def _session_expires() -> None:
        # Idle sessions end after PERMANENT_SESSION_LIFETIME (refreshed on each request).
        session.permanent = True

    return app
