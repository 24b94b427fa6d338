"""The GraphiQL page, loading only the gateway's own copies of GraphiQL and React.

Its Content-Security-Policy allows nothing but this origin (plus the `data:` fonts and
images inlined in GraphiQL's stylesheet): no inline script, no CDN, no eval.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse

from gateway.web.assets import asset_url

TEMPLATE = Path(__file__).parent / "graphiql.html"
_ASSET = re.compile(r'\{\{ asset "([^"]+)" \}\}')

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        # Refuses one thing GraphiQL does: react-remove-scroll's <style> locking the body's
        # scroll while a dialog is open, which page.css already does (checked in Chromium).
        "style-src 'self'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        # 'self' covers the same origin's ws:// and wss:// (CSP level 3) for subscriptions.
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)


@cache
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def graphiql_page(request: Request) -> HTMLResponse:
    html = _ASSET.sub(lambda match: escape(asset_url(request, match[1])), _template())
    return HTMLResponse(
        html,
        headers={
            "content-security-policy": CONTENT_SECURITY_POLICY,
            "cache-control": "no-cache",
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
        },
    )
