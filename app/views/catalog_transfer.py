"""Catalog import and export page: template download, upload with every problem listed, export."""

from __future__ import annotations

from io import BytesIO

from flask import current_app, send_file
from flask_appbuilder import BaseView, expose, has_access

from app.errors import ServiceError
from app.services.catalog import transfer as catalog_transfer
from app.platform.fab import current_reach
from app.views.base import FileImportMixin

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CatalogTransferView(FileImportMixin, BaseView):
    route_base = "/catalog"
    class_permission_name = "CatalogTransfer"
    method_permission_name = {"index": "read", "template": "read", "export": "read", "upload": "write"}
    default_view = "index"
    import_page = "CatalogTransferView.index"

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("catalog/transfer.html", problems=[], result=None)

    @expose("/template.xlsx")
    @has_access
    def template(self):
        data = catalog_transfer.template(current_app.appbuilder.session)
        return send_file(BytesIO(data), as_attachment=True, mimetype=XLSX,
                         download_name="kytb-catalog-template.xlsx")

    @expose("/export.xlsx")
    @has_access
    def export(self):
        data = catalog_transfer.export_catalog(current_app.appbuilder.session, current_reach())
        return send_file(BytesIO(data), as_attachment=True, mimetype=XLSX, download_name="kytb-catalog.xlsx")

    def import_file(self, filename: str, data: bytes):
        try:
            result = catalog_transfer.import_catalog(current_app.appbuilder.session, data, current_reach())
        except ServiceError as error:
            return self.render_template("catalog/transfer.html", problems=error.problems, result=None,
                                        filename=filename), 422
        return self.render_template("catalog/transfer.html", problems=[], result=result, filename=filename)
