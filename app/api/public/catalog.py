"""/api/v1/public/handling_types … : the published catalog for the portal (no login)."""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, safe

from app.api.public import PublicApi
from app.extensions import db
from app.services.public.catalog import public_handling_types


class PublicCatalogApi(PublicApi):
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
