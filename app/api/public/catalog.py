"""/api/v1/public/handling_types, /matters, /matters/<code>, its sample forms and /windows: the published
catalog for the portal (no login, no personal data)."""

from __future__ import annotations

from flask import Response, request, send_file
from flask_appbuilder.api import expose, safe

from app.api.public import PublicApi
from app.api.public.catalog_schemas import COMPONENT_SCHEMAS
from app.extensions import db
from app.platform.fab import answers_service_errors
from app.services.public.catalog import (
    public_guide,
    public_handling_types,
    public_matters,
    public_windows,
    sample_file,
)

#: the catalog changes rarely: caches and the portal may keep an answer a few minutes
CACHEABLE = {"Cache-Control": "public, max-age=300"}


class PublicCatalogApi(PublicApi):
    openapi_spec_component_schemas = COMPONENT_SCHEMAS

    @expose("/handling_types", methods=["GET"])
    @safe
    def handling_types(self) -> Response:
        """The handling types (通办类型) an applicant may choose, in their order
        ---
        get:
          summary: The handling types (通办类型), in their order
          responses:
            200:
              description: Every active handling type with the regions it covers
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: array
                        items:
                          type: object
                          properties:
                            code: {type: string}
                            name: {type: string}
                            name_en: {type: string}
                            description: {type: string}
                            nationwide: {type: boolean}
                            regions: {type: array, items: {type: string}}
            429:
              description: Too many requests from this address (wait for Retry-After seconds)
        """
        return self.response(200, result=public_handling_types(db.session))

    @expose("/matters", methods=["GET"])
    @safe
    def matters(self) -> Response:
        """The published matters (通办事项), by code, found by words of their code or name, a handling type, a line
        ---
        get:
          summary: The published matters (通办事项清单), by code
          parameters:
            - {in: query, name: q, required: false, schema: {type: string},
               description: "words of the matter's code or name (each must occur)"}
            - {in: query, name: handling_type, required: false, schema: {type: string},
               description: "a handling type's code (kuasheng, chuanyu …)"}
            - {in: query, name: line, required: false, schema: {type: string},
               description: "a line of business's code (hrss, police …)"}
          responses:
            200:
              description: The matters found, each as its current published guide says
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      count: {type: integer}
                      result:
                        type: array
                        items: {$ref: '#/components/schemas/PublicMatter'}
            429:
              description: Too many requests from this address (wait for Retry-After seconds)
        """
        args = request.args
        answer = public_matters(db.session, q=args.get("q", ""), handling_type=args.get("handling_type", ""),
                                line=args.get("line", ""))
        return self._cacheable(self.response(200, **answer))

    @expose("/matters/<string:code>", methods=["GET"])
    @safe
    @answers_service_errors
    def guide(self, code: str) -> Response:
        """The service guide (办事指南) of a published matter, as its current published version says
        ---
        get:
          summary: The service guide (办事指南) of a published matter
          parameters:
            - {in: path, name: code, required: true, schema: {type: string}, description: "the matter's code"}
          responses:
            200:
              description: Every element of the guide and the windows that accept the matter
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result: {$ref: '#/components/schemas/PublicGuide'}
            404:
              description: No such matter, or it is a draft or retired
              content:
                application/json:
                  schema: {type: object, properties: {message: {type: string}}}
            429:
              description: Too many requests from this address (wait for Retry-After seconds)
        """
        return self._cacheable(self.response(200, result=public_guide(db.session, code)))

    @expose("/matters/<string:code>/materials/<int:seq>/sample", methods=["GET"])
    @safe
    @answers_service_errors
    def sample(self, code: str, seq: int) -> Response:
        """The sample form (样本样表) of a material of a published matter, as an attachment with its stored name
        ---
        get:
          summary: The sample form (样本样表) of a required material
          parameters:
            - {in: path, name: code, required: true, schema: {type: string}, description: "the matter's code"}
            - {in: path, name: seq, required: true, schema: {type: integer}, description: "the material's number"}
          responses:
            200:
              description: The file (PDF, JPEG or PNG), as an attachment
              content:
                application/pdf:
                  schema: {type: string, format: binary}
                image/jpeg:
                  schema: {type: string, format: binary}
                image/png:
                  schema: {type: string, format: binary}
            404:
              description: No such published matter or material, or the material has no sample form
              content:
                application/json:
                  schema: {type: object, properties: {message: {type: string}}}
            429:
              description: Too many requests from this address (wait for Retry-After seconds)
        """
        found = sample_file(db.session, code, seq)
        answer = send_file(found.path, mimetype=found.content_type, as_attachment=True, download_name=found.name)
        answer.headers["X-Content-Type-Options"] = "nosniff"
        return self._cacheable(answer)

    @expose("/windows", methods=["GET"])
    @safe
    def windows(self) -> Response:
        """The window directory (跨域通办综合窗口): where to apply, with hours, phones and handling types
        ---
        get:
          summary: The cross-region windows (跨域通办综合窗口) that accept the published matters
          responses:
            200:
              description: Every active window of ours, by code
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: array
                        items: {$ref: '#/components/schemas/PublicWindow'}
            429:
              description: Too many requests from this address (wait for Retry-After seconds)
        """
        return self._cacheable(self.response(200, result=public_windows(db.session)))

    @staticmethod
    def _cacheable(answer: Response) -> Response:
        answer.headers.update(CACHEABLE)
        return answer
