"""Unknown paths and wrong methods under /v1 answer in the API's error shape.

Without this the web app, mounted at `/`, answers every path no route took, with Gradio's
`{"detail": ...}` 404 even for a known path asked with the wrong method. The fallback route is added
after every /v1 route and before the web app is mounted: 405 with `Allow` when the path exists with
other methods (read from the OpenAPI schema, which lists every /v1 operation), else 404.
"""

from __future__ import annotations

import re
from functools import cache

from fastapi import Depends, FastAPI, Request
from starlette.routing import compile_path

from ui.api_errors import ApiError
from ui.api_guards import require_api_key

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@cache
def _path_pattern(template: str) -> re.Pattern[str]:
    return compile_path(template)[0]


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the API's operations accept at `path` (empty: no operation has that path)."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        if _path_pattern(template).match(path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


def install_v1_fallback(app: FastAPI) -> None:
    """Call after the /v1 routers are included and before the web app is mounted."""

    @app.api_route("/v1", methods=METHODS, include_in_schema=False, dependencies=[Depends(require_api_key)])
    @app.api_route("/v1/{rest:path}", methods=METHODS, include_in_schema=False, dependencies=[Depends(require_api_key)])
    def v1_fallback(request: Request) -> None:
        path = request.url.path
        allowed = allowed_methods(request.app, request.scope.get("path", path))
        if allowed:
            raise ApiError(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {path}; use {', '.join(allowed)}.",
                headers={"Allow": ", ".join(allowed)},
            )
        raise ApiError(404, "not_found", f"There is no API route {path}; see /docs for the routes.")
