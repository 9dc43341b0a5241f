"""What every generated view of ours shares: scoped CRUD, actions and forms, every problem shown at once,
the import route of upload forms, the code and region pickers, the route sets of read-only and edit-only
views, and how pages answer the services' refusals. What views share with the REST API (the scoped data
interface, the current reach, the permission maps) is ``app.platform.fab``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Mapping

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.const import FLAMSG_ERR_SEC_ACCESS_DENIED
from flask_babel import lazy_gettext as _l
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import Select2Widget
from sqlalchemy import inspect, select
from werkzeug.datastructures import FileStorage
from wtforms import SelectField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired

from app.errors import Forbidden, NotFound, Problem, ServiceError
from app.labels import choices, joined
from app.models.org import Region
from app.scope import as_record_id, is_in_scope
from app.platform import records
from app.platform.fab import VIEW_PERMISSIONS, current_reach


class ScopedCrudMixin:
    """Scoped actions, every problem shown at once, forms kept when a save is refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Ticked boxes read 是/否 (Yes/No) in lists and details, not True/False.
        formatters = dict(self.formatters_columns or {})
        for col in self.datamodel.list_columns:
            if self.datamodel.is_boolean(col):
                formatters.setdefault(col, yes_no)
        # Lists of related records read 跨省通办、川渝通办, not a Python list.
        for col in self.datamodel.list_properties:
            if self.datamodel.is_relation_many_to_many(col):
                formatters.setdefault(col, joined)
        # An empty value shows as nothing, not as "None".
        for col in {*(self.list_columns or []), *(self.show_columns or [])}:
            formatters.setdefault(col, blank_if_none)
        self.formatters_columns = formatters

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename: str) -> Any:
        """FAB's download of files kept in its UPLOAD_FOLDER: we keep none there (every file goes through the
        services, scoped and logged), so after the permission check there is nothing to find."""
        abort(404)

    def _init_forms(self) -> None:
        super()._init_forms()
        # An empty choice reads "（未选择）" instead of the "__None" FAB and WTForms 3.3 show together.
        for form in (self.add_form, self.edit_form):
            for name in dir(form):
                unbound = getattr(form, name, None)
                if (isinstance(unbound, UnboundField) and issubclass(unbound.field_class, QuerySelectField)
                        and unbound.kwargs.get("allow_blank")):
                    unbound.kwargs["blank_text"] = _l("(not chosen)")

    @expose("/action/<string:name>/<pk>", methods=["POST"])
    def action(self, name: str, pk: Any):  # type: ignore[override]
        return self._run_action(name, [pk], multiple=False)

    @expose("/action_post", methods=["POST"])
    def action_post(self):  # type: ignore[override]
        return self._run_action(request.form.get("action", ""), request.form.getlist("rowid"), multiple=True)

    def _run_action(self, name: str, pks: list[Any], multiple: bool):
        """FAB resolves action ids with an unscoped ``datamodel.get``; ours is scoped, and ids
        outside the scope are answered like missing ones: 404, nothing done."""
        action = self.actions.get(name)
        if action is not None and multiple and not action.multiple:
            action = None  # an action for one record (resetting a password) is not run on a list
        if action is None or not self.appbuilder.sm.has_access(
            self.get_action_permission_name(name), self.class_permission_name
        ):
            flash(str(FLAMSG_ERR_SEC_ACCESS_DENIED), "danger")
            return redirect(self.get_redirect())
        items = [self.datamodel.get(self._deserialize_pk_if_composite(pk)) for pk in pks]
        if not items or any(item is None for item in items):
            abort(404)
        try:
            # An action for several records (``single=False``, the bulk delete) takes a list, also
            # when ``/action/<name>/<pk>`` asks for one record.
            return action.func(items if multiple or not action.single else items[0])
        except NotFound:
            abort(404)
        except ServiceError as error:
            self._flash_problems(error)
            return redirect(self.get_redirect())

    def _flash_problems(self, error: ServiceError, form: Any = None) -> None:
        show_problems(error.problems, form)

    def _add(self):  # type: ignore[override]
        return self._form_step(is_add=True)

    def _edit(self, pk: Any):  # type: ignore[override]
        return self._form_step(is_add=False, pk=pk)

    def _form_step(self, is_add: bool, pk: Any = None):
        """FAB's add/edit, except that a refused save keeps the form with every problem shown."""
        if not is_add:
            self._require_writable(pk)
        if request.method != "POST":
            return super()._add() if is_add else super()._edit(pk)
        from flask_appbuilder.urltools import get_filter_args

        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        if is_add:
            item = self.datamodel.obj()
            form = self.add_form.refresh()
        else:
            item = self.datamodel.get(pk, self._base_filters)
            if item is None:
                abort(404)
            form = self.edit_form.refresh(request.form)
            form._id = self.datamodel.get_pk_value(item)
        self._fill_form_exclude_cols(exclude_cols, form)
        if form.validate():
            self.process_form(form, is_add)
            try:
                form.populate_obj(item)
                self.pre_add(item) if is_add else self.pre_update(item)
                self.datamodel.add(item) if is_add else self.datamodel.edit(item)
            except NotFound:
                abort(404)
            except ServiceError as error:
                self._refresh_after_rollback(item)
                self._flash_problems(error, form)
            else:
                self.post_add(item) if is_add else self.post_update(item)
                flash(str(self.add_row_message if is_add else self.edit_row_message), "success")
                return None
        if is_add:
            return self._get_add_widget(form=form, exclude_cols=exclude_cols)
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(item, filters={}, orders={}, pages={}, page_sizes={}, widgets=widgets)

    def _require_writable(self, pk: Any) -> None:
        """Editing a record the user may read but not change answers 404, as a missing one does."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None or not is_in_scope(self.datamodel.session, item, current_reach(), write=True):
            abort(404)

    @staticmethod
    def _refresh_after_rollback(item: Any) -> None:
        state = inspect(item)
        if state.persistent:
            state.session.refresh(item)

    def _delete(self, pk: Any):  # type: ignore[override]
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        try:
            self.pre_delete(item)
            self.datamodel.delete(item)
        except NotFound:
            abort(404)
        except ServiceError as error:
            self._flash_problems(error)
        else:
            self.post_delete(item)
            flash(str(self.delete_row_message), "success")
        self.update_redirect()


class BulkDeleteMixin:
    """"Delete the selected records" on a list: all of them or, if any is refused, none."""

    @action("muldelete", _l("Delete"), _l("Delete the selected records?"), "fa-trash", single=False)
    def muldelete(self, items: list[Any]):
        count = records.delete_many(self.datamodel.session, items, current_reach())
        flash(str(_l("%(n)d record(s) deleted.", n=count)), "success")
        return redirect(self.get_redirect())


class FileImportMixin:
    """The import route of a page with an upload form (``POST <route_base>/import``): with no file chosen,
    back to the form with a message; otherwise the page's own ``import_file`` takes the file."""

    #: the endpoint of the page with the upload form
    import_page: str
    #: what the page does with the uploaded file (filename, content): each page using the mixin defines it
    import_file: Callable[[str, bytes], Any]

    @expose("/import", methods=["POST"])
    @has_access
    def upload(self):
        file = uploaded_file(_l("Choose a file to import."))
        if file is None:
            return redirect(url_for(self.import_page))
        return self.import_file(file.filename, file.read())


#: the FAB routes of a view that only lists and shows: no adding, editing, deleting, actions nor downloads
READ_ONLY_ROUTES = frozenset({"add", "edit", "delete", "action", "action_post", "download"})
#: the FAB routes of a view whose rows are edited but never added nor deleted here
EDIT_ONLY_ROUTES = READ_ONLY_ROUTES - {"edit"}
#: the FAB routes of a view that lists, shows and runs actions on its rows but never edits them
NO_EDITING_ROUTES = READ_ONLY_ROUTES - {"action", "action_post"}


class AppModelView(ScopedCrudMixin, ModelView):
    """Base for our generated views: read/write permissions and the scoped CRUD behaviour."""

    method_permission_name = VIEW_PERMISSIONS
    page_size = 25


def forbidden_page(view: Any, error: Any):
    """The 403 page with the reason (a Forbidden's problems, or a message)."""
    message = "; ".join(str(p.message) for p in error.problems) if isinstance(error, ServiceError) else error
    return view.render_template("error.html", status=403, message=message or _l("You may not do this.")), 403


def answers_service_errors(page: Callable[..., Any]) -> Callable[..., Any]:
    """How every page of ours answers the services' refusals that end a request: NotFound (missing or
    out of scope) is 404, Forbidden the 403 page with its reason. A page handles only what is its own
    (``Refused``: the form again with every problem, or the problems flashed)."""

    @functools.wraps(page)
    def answer(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return page(self, *args, **kwargs)
        except NotFound:
            abort(404)
        except Forbidden as error:
            return forbidden_page(self, error)

    return answer


def code_select(title: Any, table: Mapping[str, Any], description: Any = "") -> SelectField:
    """A required form field choosing one code of a label table (``app.labels``), shown by its label."""
    return SelectField(title, choices=choices(table), validators=[DataRequired()], widget=Select2Widget(),
                       description=description)


def region_ids(*levels: str) -> list[int]:
    """The regions a region picker offers: only those of the levels that make sense for the field."""
    session = current_app.appbuilder.session
    return list(session.execute(select(Region.id).where(Region.level.in_(levels))).scalars())


def uploaded_file(missing_message: Any) -> FileStorage | None:
    """The file the form sent in its ``file`` field; None, with ``missing_message`` flashed, when none was chosen."""
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(str(missing_message), "danger")
        return None
    return file


def page_number() -> int:
    """The ``page`` of the query string; the first page (0) for anything that is no page number (``1e20``, ``-1``,
    more digits than the database's integer holds)."""
    page = as_record_id(request.args.get("page", ""))
    return page if page is not None and page >= 0 else 0


def flash_problems(problems: Iterable[Problem], category: str = "danger") -> None:
    for problem in problems:
        flash(str(problem.message), category)


def show_problems(problems: Iterable[Problem], form: Any = None) -> None:
    """Every problem at once: under its field when the form has it, flashed otherwise."""
    for problem in problems:
        field = form[problem.field] if form is not None and problem.field and problem.field in form else None
        if field is not None:
            field.errors = list(field.errors) + [str(problem.message)]
        else:
            flash(str(problem.message), "danger")


def blank_if_none(value: Any) -> Any:
    return "" if value is None else value


def yes_no(value: Any) -> str:
    return str(_l("Yes")) if value else str(_l("No"))
