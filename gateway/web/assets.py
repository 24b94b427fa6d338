"""The static files pages load, served from the installed package.

A page names each file with a digest of its content (`?v=`), so browsers may keep it for a
year: a new release changes the URL. A URL without the digest is revalidated every time.
Starlette's StaticFiles refuses paths that leave the folder.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
STATIC_ROUTE = "static"
IMMUTABLE = "public, max-age=31536000, immutable"


class StaticAssets(StaticFiles):
    def __init__(self) -> None:
        super().__init__(directory=STATIC_DIR)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = "v" in QueryParams(scope.get("query_string", b""))
        response.headers["cache-control"] = IMMUTABLE if versioned else "no-cache"
        response.headers["x-content-type-options"] = "nosniff"
        return response


@cache
def content_digest(relative: str) -> str:
    return hashlib.sha256((STATIC_DIR / relative).read_bytes()).hexdigest()[:16]


def asset_url(request: Request, relative: str) -> str:
    """The path (under any proxy prefix) of a static file, with its content digest."""
    path = request.url_for(STATIC_ROUTE, path=relative).path
    return f"{path}?v={content_digest(relative)}"
