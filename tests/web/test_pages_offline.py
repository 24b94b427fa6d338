"""No page the gateway serves, now or later, may load anything from outside it."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from tests.conftest import Gateway
from tests.web.references import crawl

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def served_paths(routes: list[BaseRoute], prefix: str = "") -> list[str]:
    """Every URL a browser can GET: each route (path parameters filled in) and static file."""
    paths: list[str] = []
    for route in routes:
        if isinstance(route, Route):
            if route.methods and "GET" in route.methods:
                paths.append(prefix + re.sub(r"\{[^}]+\}", "example", route.path))
        elif isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            for directory in route.app.all_directories:
                root = Path(directory)
                files = sorted(p for p in root.rglob("*") if p.is_file())
                paths += [f"{prefix}{route.path}/{p.relative_to(root).as_posix()}" for p in files]
        elif isinstance(route, Mount):
            paths += served_paths(route.routes, prefix + route.path)
        else:
            assert isinstance(route, WebSocketRoute), f"the offline check cannot read {route!r}"
    return paths


async def test_no_page_references_an_external_url(sqlite_gateway: Gateway) -> None:
    paths = served_paths(sqlite_gateway.app.routes)
    assert "/graphql" in paths and "/static/graphiql/page.js" in paths
    pages = []
    for path in paths:
        response = await sqlite_gateway.client.get(path, headers=BROWSER)
        if response.headers.get("content-type", "").startswith("text/html"):
            page = await crawl(sqlite_gateway.client, path, response.text)
            assert page.external == [], path
            assert page.failures == [], path
            pages.append(path)
    assert "/graphql" in pages


async def test_the_check_catches_a_page_with_a_cdn_link(sqlite_gateway: Gateway) -> None:
    html = """<html><head>
      <link rel="stylesheet" href="https://unpkg.com/graphiql/graphiql.min.css">
      <script src="//cdn.example/react.js"></script>
      <style>@font-face { src: url(https://fonts.example/a.woff2) }</style>
      <script>fetch("https://api.example/")</script>
    </head><body><img srcset="/static/graphiql/favicon.svg 1x, https://img.example/b.png 2x">
    </body></html>"""
    page = await crawl(sqlite_gateway.client, "/page", html)

    assert sorted(page.external) == [
        "//cdn.example/react.js (in /page)",
        "https://api.example/",
        "https://fonts.example/a.woff2 (in /page)",
        "https://img.example/b.png (in /page)",
        "https://unpkg.com/graphiql/graphiql.min.css (in /page)",
    ]
    assert page.failures == []


async def test_the_check_catches_a_missing_or_mistyped_asset(sqlite_gateway: Gateway) -> None:
    html = '<script src="/static/graphiql/nope.js"></script><link href="/healthz" rel="x">'
    page = await crawl(sqlite_gateway.client, "/page", html)

    assert sorted(page.failures) == [
        "http://test/healthz (in /page) is served as 'application/json'",
        "http://test/static/graphiql/nope.js (in /page) answered 404",
    ]
