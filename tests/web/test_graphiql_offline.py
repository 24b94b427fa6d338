"""GraphiQL works without internet: its page loads only what the gateway serves itself."""

from __future__ import annotations

import httpx

from tests.conftest import Gateway
from tests.web.references import JS_TYPES, crawl, css_references, js_references

HTML = {"accept": "text/html"}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


async def test_graphiql_page_loads_nothing_from_outside(sqlite_gateway: Gateway) -> None:
    response = await sqlite_gateway.client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "unpkg.com" not in response.text

    page = await crawl(sqlite_gateway.client, "/graphql", response.text)

    assert page.external == []
    assert page.failures == []
    loaded = {url.split("?")[0].removeprefix("http://test") for url in page.loaded}
    # What strawberry's own page takes from a CDN, now from the gateway (and its own bootstrap).
    assert {
        "/static/graphiql/react/react.production.min.js",
        "/static/graphiql/react-dom/react-dom.production.min.js",
        "/static/graphiql/graphiql/graphiql.min.js",
        "/static/graphiql/graphiql/graphiql.min.css",
        "/static/graphiql/plugin-explorer/index.umd.js",
        "/static/graphiql/plugin-explorer/style.css",
        "/static/graphiql/page.js",
        "/static/graphiql/page.css",
        "/static/graphiql/favicon.svg",
    } <= loaded


async def test_graphiql_page_allows_only_its_own_origin(sqlite_gateway: Gateway) -> None:
    response = await sqlite_gateway.client.get("/graphql", headers=HTML)
    csp = csp_directives(response.headers["content-security-policy"])

    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]  # HTTP queries and the subscription websocket
    assert csp["frame-ancestors"] == ["'none'"]
    allowed = {source for sources in csp.values() for source in sources}
    assert allowed <= {"'self'", "'none'", "data:"}, "no host, no inline code, no eval"
    page = await crawl(sqlite_gateway.client, "/graphql", response.text)
    assert page.inline_script == [] and page.inline_style == []
    assert response.headers["cache-control"] == "no-cache"


async def test_assets_are_cached_by_content_digest(sqlite_gateway: Gateway) -> None:
    client = sqlite_gateway.client
    page = await crawl(client, "/graphql", (await client.get("/graphql", headers=HTML)).text)
    [script] = [url for url in page.loaded if "/graphiql.min.js?v=" in url]

    versioned = await client.get(script)
    assert versioned.headers["content-type"].startswith(JS_TYPES)
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert versioned.headers["x-content-type-options"] == "nosniff"
    plain = await client.get(script.split("?")[0])
    assert plain.headers["cache-control"] == "no-cache"
    revalidated = await client.get(script, headers={"if-none-match": versioned.headers["etag"]})
    assert revalidated.status_code == 304


async def test_static_files_cannot_escape_their_folder(sqlite_gateway: Gateway) -> None:
    for path in [
        "/static/%2e%2e/assets.py",
        "/static/graphiql/%2e%2e/%2e%2e/graphiql.py",
        "/static/..%2fassets.py",
        "/static/%2fetc%2fpasswd",
        "/static/graphiql/missing.js",
    ]:
        response = await sqlite_gateway.client.get(path)
        assert response.status_code == 404, path
        assert "import" not in response.text and "root:" not in response.text


async def test_graphiql_page_follows_a_proxy_prefix(sqlite_gateway: Gateway) -> None:
    """Behind a proxy mounting the gateway under /orders, assets are asked for there too."""
    transport = httpx.ASGITransport(app=sqlite_gateway.app, root_path="/orders")
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/orders/graphql", headers=HTML)
        page = await crawl(client, "/orders/graphql", response.text)

    assert 'src="/orders/static/graphiql/page.js?v=' in response.text
    assert page.failures == [] and page.external == []


def test_scanner_sees_what_a_browser_would_load() -> None:
    """The crawler must not miss the ways a CDN link is usually written."""
    css = "@import 'https://fonts.example/a.css'; a { background: url(//cdn.example/x.png) }"
    assert css_references(css) == ["//cdn.example/x.png", "https://fonts.example/a.css"]
    js = """
      import x from "https://esm.example/x.js"; import("https://esm.example/y.js");
      fetch('https://api.example/z'); s.src = "https://cdn.example/s.js";
      new Worker(`https://cdn.example/w.js`); new WebSocket("wss://ws.example/");
      // see https://docs.example/ (prose, not a load)
      throw new Error("see https://github.com/graphql/graphql-js/issues/2203");
    """
    assert sorted(js_references(js)) == [
        "https://api.example/z",
        "https://cdn.example/s.js",
        "https://cdn.example/w.js",
        "https://esm.example/x.js",
        "https://esm.example/y.js",
        "wss://ws.example/",
    ]
