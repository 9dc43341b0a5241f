"""REST resources for the catalog: /api/v1/handling_type/, /api/v1/matter/ (with materials and guide),
/api/v1/material_requirement/ and /api/v1/guide/ (read-only)."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import request, send_file
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from app.adapters import storage
from app.api.case_openapi import in_path, json_content, obj
from app.api.declared import responses_of
from app.errors import NotFound
from app.models.catalog import Guide, HandlingType, MaterialRequirement, Matter, MatterField
from app.platform.fab import API_PERMISSIONS, AppModelRestApi, ScopedInterface, answers_service_errors, current_reach
from app.services.catalog import matters as catalog

_CHANGED_MATTER = json_content(obj(id={"type": "integer"}, result=obj(
    status={"type": "string"}, guide_version={"type": "integer", "nullable": True,
                                              "description": "the matter's current guide"})))


class HandlingTypeApi(AppModelRestApi):
    resource_name = "handling_type"
    datamodel = ScopedInterface(HandlingType)
    list_columns = ["id", "code", "name", "name_en", "nationwide", "regions.id", "regions.name", "active"]
    show_columns = list_columns + ["description", "sort_order"]
    add_columns = edit_columns = ["code", "name", "name_en", "nationwide", "regions", "description", "sort_order", "active"]
    search_columns = ["code", "name", "nationwide", "active"]
    order_columns = ["sort_order", "code", "name"]
    base_order = ("sort_order", "asc")


class MatterApi(AppModelRestApi):
    resource_name = "matter"
    datamodel = ScopedInterface(Matter)
    list_columns = [
        "id", "code", "name", "line", "status", "legal_limit_days", "promised_limit_days", "precheck",
        "handling_types.code", "handling_types.name", "current_guide.version",
    ]
    show_columns = [
        "id", "code", "name", "line", "status", "legal_limit_days", "promised_limit_days", "max_extension_days",
        "precheck", "precheck_hours", "fee_note", "consult_phone", "complaint_phone", "acceptance_conditions", "review_points",
        "authority", "legal_basis", "process_steps", "visits", "faq",
        "handling_types.code", "handling_types.name",
        "materials.id", "materials.seq", "materials.name", "materials.copies", "materials.form",
        "materials.required", "materials.original_check", "materials.deferrable", "materials.note", "materials.sample_file_name",
        "current_guide.id", "current_guide.version", "current_guide.published_on", "current_guide.sha256",
        # 补充信息 (issue 15 item 3): the extra fields a new case is asked, as published
        "form_fields",
    ]
    add_columns = edit_columns = [
        "code", "name", "business_line", "handling_types", "legal_limit_days", "promised_limit_days", "fee_note",
        "consult_phone", "complaint_phone", "acceptance_conditions", "review_points", "precheck", "precheck_hours",
        "max_extension_days", "authority", "legal_basis", "process_steps", "visits", "faq",
    ]
    search_columns = ["code", "name", "line", "status", "handling_types"]
    order_columns = ["code", "name", "promised_limit_days"]
    base_order = ("code", "asc")
    method_permission_name: ClassVar[dict[str, str]] = {**API_PERMISSIONS, "publish": "write", "retire": "write"}
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "publish": {"post": {
            "summary": "Publishes the matter: a new guide version when its content changed (the page's 发布)",
            "parameters": [in_path("pk")],
            "responses": responses_of({"200": {"description": "The matter published", "content": _CHANGED_MATTER}},
                                      "404", "409", "422"),
        }},
        "retire": {"post": {
            "summary": "Retires the matter (the page's 停用); open cases keep their guide",
            "parameters": [in_path("pk")],
            "responses": responses_of({"200": {"description": "The matter retired", "content": _CHANGED_MATTER}},
                                      "404", "409"),
        }},
    }

    def _matter(self, pk: int) -> Matter:
        matter = self.datamodel.get(pk, self._base_filters)
        if matter is None:
            raise NotFound()
        return matter

    def _changed(self, matter: Matter) -> Any:
        guide = matter.current_guide
        return self.response(200, id=matter.id, result={"status": matter.status,
                                                        "guide_version": guide.version if guide else None})

    @expose("/<int:pk>/publish", methods=["POST"])
    @protect()
    @safe
    @permission_name("publish")
    @answers_service_errors
    def publish(self, pk: int) -> Any:
        """Publishes the matter"""
        matter = self._matter(pk)
        catalog.publish_matters(self.datamodel.session, [matter], current_reach())
        return self._changed(matter)

    @expose("/<int:pk>/retire", methods=["POST"])
    @protect()
    @safe
    @permission_name("retire")
    @answers_service_errors
    def retire(self, pk: int) -> Any:
        """Retires the matter"""
        matter = self._matter(pk)
        catalog.retire_matter(self.datamodel.session, matter, current_reach())
        return self._changed(matter)


class MaterialRequirementApi(AppModelRestApi):
    """A matter's required materials, and the upload and download of their sample forms (样表)."""

    resource_name = "material_requirement"
    datamodel = ScopedInterface(MaterialRequirement)
    list_columns = ["id", "matter.id", "matter.code", "matter.name", "seq", "name", "copies", "form", "required",
                    "original_check", "deferrable", "sample_file_name"]
    show_columns = list_columns + ["note"]
    add_columns = edit_columns = ["matter", "seq", "name", "copies", "form", "required", "original_check",
                                  "deferrable", "note"]
    search_columns = ["matter", "name", "form", "required"]
    order_columns = ["seq", "name"]
    base_order = ("matter_id", "asc")
    method_permission_name: ClassVar[dict[str, str]] = {**API_PERMISSIONS, "sample": "read", "upload_sample": "write"}
    openapi_spec_methods: ClassVar[dict[str, Any]] = {
        "sample": {"get": {
            "summary": "The material's sample form (样表), as the page offers it",
            "parameters": [in_path("pk")],
            "responses": responses_of({"200": {"description": "The sample form", "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("application/pdf", "image/jpeg", "image/png")}}}, "404"),
        }},
        "upload_sample": {"post": {
            "summary": "Uploads the material's sample form (样表), as the page's upload: PDF, JPEG or PNG "
                       "(every problem of the file at once: 422)",
            "parameters": [in_path("pk")],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}}}},
            "responses": responses_of({"200": {"description": "The material with its sample form", "content":
                json_content(obj(id={"type": "integer"}, result=obj(
                    sample_file_name={"type": "string"}, sample_file_sha256={"type": "string"})))}},
                "400", "404", "422"),
        }},
    }

    @expose("/<int:pk>/sample", methods=["POST"])
    @protect()
    @safe
    @permission_name("upload_sample")
    @answers_service_errors
    def upload_sample(self, pk: int) -> Any:
        """Uploads the material's sample form"""
        upload = request.files.get("file")
        filename, data = (upload.filename or "", upload.read()) if upload is not None else ("", b"")
        item = catalog.attach_sample(self.datamodel.session, pk, current_reach(), filename, data)
        return self.response(200, id=item.id, result={"sample_file_name": item.sample_file_name,
                                                      "sample_file_sha256": item.sample_file_sha256})

    @expose("/<int:pk>/sample", methods=["GET"])
    @protect()
    @safe
    @permission_name("sample")
    @answers_service_errors
    def sample(self, pk: int) -> Any:
        """The material's sample form"""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None or not item.sample_file_key:
            return self.response_404()
        return send_file(storage.path_of(item.sample_file_key), download_name=item.sample_file_name,
                         as_attachment=True)


class GuideApi(AppModelRestApi):
    """The published guides (办事指南), read-only: a guide is published from its matter, never edited."""

    resource_name = "guide"
    datamodel = ScopedInterface(Guide)
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "matter.id", "matter.code", "matter.name", "version", "published_on", "sha256"]
    show_columns = list_columns + ["content", "note"]
    search_columns = ["matter", "version"]
    order_columns = ["version", "published_on"]
    base_order = ("published_on", "desc")


class MatterFieldApi(AppModelRestApi):
    """补充信息: the extra fields a matter asks at registration, with the page's record rules (``field_rules``):
    the administrator for every matter, the city department for the matters of its line (the write scope)."""

    resource_name = "matter_field"
    datamodel = ScopedInterface(MatterField)
    list_columns = ["id", "matter.id", "matter.code", "matter.name", "seq", "label", "key", "kind", "required"]
    show_columns = list_columns + ["help", "min_length", "max_length", "min_value", "max_value", "choices", "pattern"]
    add_columns = edit_columns = ["matter", "seq", "label", "key", "kind", "required", "help", "min_length",
                                  "max_length", "min_value", "max_value", "choices", "pattern"]
    search_columns = ["matter", "label", "key", "kind", "required"]
    order_columns = ["seq", "label", "key"]
    base_order = ("matter_id", "asc")

    def _init_model_schemas(self) -> None:
        super()._init_model_schemas()
        # as on the page: an empty number puts the field after the others (field_rules numbers it)
        for schema in (self.add_model_schema, self.edit_model_schema):
            seq = schema.fields["seq"]
            seq.required, seq.allow_none = False, True


class MatterReviewApi(AppModelRestApi):
    """审核 (我条线的审查要点): the city department reads the matters and changes the review points of its line's
    (the matter's write scope and rules: any other field is refused), as on its page."""

    resource_name = "matter_review"
    datamodel = ScopedInterface(Matter)
    include_route_methods = {"get_list", "get", "put", "info"}
    list_columns = ["id", "code", "name", "line", "status", "current_guide.version"]
    show_columns = ["id", "code", "name", "line", "status", "acceptance_conditions", "review_points"]
    edit_columns = ["review_points"]
    search_columns = ["code", "name"]
    order_columns = ["code", "name"]
    base_order = ("code", "asc")
