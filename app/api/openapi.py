"""The OpenAPI document (/api/v1/_openapi) as FAB builds it, with an example for every request body and every
JSON success answer (``app.api.examples``). Registered instead of FAB's own view (``FAB_ADD_OPENAPI_VIEWS`` is
off), under the same name, so its endpoint and permission (OpenApi ``can_get``) stay FAB's."""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.api.manager import OpenApi as FabOpenApi
from flask_appbuilder.api.manager import SwaggerView

from app.api.examples import with_examples


class OpenApi(FabOpenApi):
    @expose("/<version>/_openapi")
    @protect()
    @safe
    def get(self, version):
        """The OpenAPI document of an API version, with examples"""
        api_spec = self._create_api_spec(version)
        found = False
        for base_api in current_app.appbuilder.baseviews:
            if isinstance(base_api, BaseApi) and base_api.version == version:
                base_api.add_api_spec(api_spec)
                found = True
        if not found:
            return self.response_404()
        return self.response(200, **with_examples(api_spec.to_dict()))

    get.__doc__ = FabOpenApi.get.__doc__  # FAB documents the document's own endpoint in its docstring


def register_openapi(appbuilder) -> None:
    appbuilder.add_api(OpenApi)
    if current_app.config.get("FAB_API_SWAGGER_UI", False):
        appbuilder.add_view_no_menu(SwaggerView)
