"""Command-line entry points: ``flask db …``, ``flask roles sync``, ``flask demo load``, ``flask setup``,
``flask backup <dir>``, ``flask restore <dir>`` and ``flask portal build``."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import AppGroup

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

db_cli = AppGroup("db", help="Database schema migrations (Alembic).")
roles_cli = AppGroup("roles", help="Roles and permissions, defined in app/domain/permissions.py.")
demo_cli = AppGroup("demo", help="Demo data for Guangyuan.")
calendar_cli = AppGroup("calendar", help="The work calendar.")
portal_cli = AppGroup("portal", help="The applicant's static portal.")


def alembic_config(url: str | None = None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", (url or current_app.config["SQLALCHEMY_DATABASE_URI"]).replace("%", "%%"))
    return cfg


@db_cli.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:  # "heads": parallel branches are merged by a later revision
    """Upgrade the schema (to the newest revision by default)."""
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    command.downgrade(alembic_config(), revision)


@db_cli.command("current")
def db_current() -> None:
    command.current(alembic_config(), verbose=True)


@db_cli.command("check")
def db_check() -> None:
    """Fails if the models and the migrations disagree."""
    command.check(alembic_config())


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(), message=message, autogenerate=True)


@roles_cli.command("sync")
def roles_sync() -> None:
    from app.services.organisation.roles import sync_roles

    for role, count in sync_roles(current_app.appbuilder).items():
        click.echo(f"{role}: {count} permissions")


@demo_cli.command("load")
@click.option("--password", default=None, help="Password of new demo users (default: DEMO_PASSWORD).")
def demo_load(password: str | None) -> None:
    """Load (or refresh) the demo network, catalog and users."""
    from app.services.demo import load_demo

    summary = load_demo(current_app.appbuilder.session, current_app.appbuilder.sm,
                        password or current_app.config["DEMO_PASSWORD"])
    click.echo(", ".join(f"{k}: {v}" for k, v in summary.items()))


@calendar_cli.command("seed")
def calendar_seed() -> None:
    """Load the years the chinesecalendar package knows and the database does not."""
    from app.services.calendar import seed_from_chinese_calendar

    years = seed_from_chinese_calendar(current_app.appbuilder.session)
    click.echo(f"seeded {len(years)} year(s): {', '.join(map(str, years)) or '-'}")


@portal_cli.command("build")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write the site to (default: PORTAL_DIR).")
@click.option("--api-base", default=None, help="Origin of the public API (default: PORTAL_API_BASE; empty: the same).")
def portal_build(out: Path | None, api_base: str | None) -> None:
    """Write the static portal (guides, windows, progress, rating, news) from what is published now."""
    from app.services.public.portal import build_portal

    built = build_portal(current_app.appbuilder.session, out or Path(current_app.config["PORTAL_DIR"]),
                         api_base=api_base)
    click.echo(f"portal written to {built.directory}: {built.pages} pages ({built.guides} guides, "
               f"{built.articles} articles)")


def setup(with_demo: bool) -> None:
    """Everything a fresh or upgraded installation needs before it serves requests."""
    from app.services.calendar import seed_from_chinese_calendar
    from app.services.demo import demo_loaded, load_demo
    from app.services.notifications.messages import seed_templates
    from app.services.organisation.roles import sync_roles
    from app.services.public.portal import queue_rebuild

    session = current_app.appbuilder.session
    command.upgrade(alembic_config(), "heads")
    sync_roles(current_app.appbuilder)
    seed_from_chinese_calendar(session)
    seed_templates(session)
    if with_demo and not demo_loaded(session):
        load_demo(session, current_app.appbuilder.sm, current_app.config["DEMO_PASSWORD"])  # it logs what it did
    queue_rebuild(session)  # the portal in this release's pages (the worker builds it)


@click.command("setup")
@click.option("--demo/--no-demo", default=None, help="Load demo data on a new database (default: in demo mode).")
def setup_command(demo: bool | None) -> None:
    """Migrate, synchronise roles, seed the calendar, and load demo data the first time."""
    setup(current_app.config["DEMO_MODE"] if demo is None else demo)
    click.echo("setup complete")


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--portable", is_flag=True, help="Dump the database as JSON rows (no pg_dump needed to restore).")
def backup_command(directory: Path, portable: bool) -> None:
    """Copy the database and the file store (STORAGE_DIR) into DIRECTORY (new or empty), with SHA-256 checksums."""
    from app.errors import ServiceError
    from app.services.backup import take_backup

    try:
        summary = take_backup(directory, portable=portable)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backup in {summary.directory}: database ({summary.database}), {summary.files} files, "
               f"{summary.bytes} bytes")


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database and file store that are not empty.")
def restore_command(directory: Path, force: bool) -> None:
    """Restore the backup in DIRECTORY into this installation (checksums verified; an empty target unless --force)."""
    from app.errors import ServiceError
    from app.services.backup import restore_backup

    try:
        summary = restore_backup(directory, force=force)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored {summary.directory}: database ({summary.database}), {summary.files} files intact; "
               "run `flask setup` if this release is newer than the backup")


def register_cli(app: Flask) -> None:
    for group in (db_cli, roles_cli, demo_cli, calendar_cli, portal_cli):
        app.cli.add_command(group)
    for command_ in (setup_command, backup_command, restore_command):
        app.cli.add_command(command_)
