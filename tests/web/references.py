"""Every URL a page makes the browser load, followed through its stylesheets and scripts.

A crawler for the offline tests: it reads HTML attributes and inline code, CSS `url()` and
`@import`, and the loading calls of scripts (`import`, `fetch`, workers, sockets), then fetches
each local reference and reads it in turn. Prose inside scripts (links in error messages,
XML namespaces) is not a load and is ignored; inline code in a page is held stricter: any
absolute URL in it counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

# Attributes whose value the browser fetches or navigates to.
URL_ATTRIBUTES = {
    "src",
    "href",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "manifest",
    "icon",
    "ping",
    "xlink:href",
}
INLINE_SCHEMES = {"data", "blob", "about", "javascript"}

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"""url\(\s*(?P<q>['"]?)(?P<url>[^'")]*)(?P=q)\s*\)""")
_CSS_IMPORT = re.compile(r"""@import\s+(?P<q>['"])(?P<url>[^'"]*)(?P=q)""")
_STRING = r"""\s*(?P<q>['"`])(?P<url>[^'"`\s]*)(?P=q)"""
# Not part of a longer name, and not the text of a string ("import" as a word in a message).
_NOT_IN_WORD = r"""(?<![\w$.'"`])"""
_JS_LOADS = [
    re.compile(_NOT_IN_WORD + r"import\s*\(" + _STRING),
    re.compile(_NOT_IN_WORD + r"(?:import|export)\s*[\w$*{}\s,]*?\bfrom" + _STRING),
    re.compile(_NOT_IN_WORD + r"import" + _STRING),
    re.compile(_NOT_IN_WORD + r"fetch\s*\(" + _STRING),
    re.compile(r"\bimportScripts\s*\(" + _STRING),
    re.compile(r"\bnew\s+(?:Shared)?Worker\s*\(" + _STRING),
    re.compile(r"\bnew\s+(?:WebSocket|EventSource)\s*\(" + _STRING),
    re.compile(r"\bsendBeacon\s*\(" + _STRING),
    re.compile(r"\.(?:src|href)\s*=" + _STRING),
]
_JS_COMMENT_LINE = re.compile(r"^\s*(?://|/\*|\*)")
_ABSOLUTE = re.compile(r"""(?:[a-z][a-z0-9+.-]*:)?//[^\s'"`)<>]+""", re.I)

JS_TYPES = ("text/javascript", "application/javascript")
EXPECTED_TYPES: dict[str, tuple[str, ...]] = {
    ".js": JS_TYPES,
    ".mjs": JS_TYPES,
    ".css": ("text/css",),
    ".svg": ("image/svg+xml",),
    ".png": ("image/png",),
    ".ico": ("image/x-icon", "image/vnd.microsoft.icon"),
    ".woff2": ("font/woff2",),
    ".json": ("application/json",),
    ".html": ("text/html",),
}


def css_references(css: str) -> list[str]:
    css = _CSS_COMMENT.sub("", css)
    return [m["url"].strip() for pattern in (_CSS_URL, _CSS_IMPORT) for m in pattern.finditer(css)]


def js_references(js: str) -> list[str]:
    code = "\n".join(line for line in js.splitlines() if not _JS_COMMENT_LINE.match(line))
    return [
        m["url"]
        for pattern in _JS_LOADS
        for m in pattern.finditer(code)
        if "${" not in m["url"] and m["url"]
    ]


@dataclass
class _PageParser(HTMLParser):
    urls: list[str] = field(default_factory=list)
    inline_css: list[str] = field(default_factory=list)
    inline_js: list[str] = field(default_factory=list)
    _in: str | None = None

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in URL_ATTRIBUTES and value:
                self.urls.append(value.strip())
            elif name == "srcset":
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name == "style":
                self.inline_css.append(value)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.urls += re.findall(r"url\s*=\s*['\"]?([^'\";]+)", values.get("content", ""), re.I)
        if tag == "style" or (tag == "script" and "src" not in values):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.inline_css.append(data)
        elif self._in == "script":
            self.inline_js.append(data)


@dataclass(frozen=True)
class Page:
    """What a page makes a browser load, and what is wrong with it."""

    loaded: dict[str, str]  # absolute local URL -> the document that references it
    external: list[str]  # "<url> (in <document>)"
    inline_script: list[str]
    inline_style: list[str]
    failures: list[str]  # local references that do not answer as they should


def is_external(url: str, own_host: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme.lower() in INLINE_SCHEMES:
        return False
    return bool(parts.netloc) and parts.hostname != own_host


def references_in(text: str, content_type: str) -> list[str]:
    if content_type.startswith("text/css"):
        return css_references(text)
    if content_type.startswith(JS_TYPES):
        return js_references(text)
    return []


async def crawl(client: httpx.AsyncClient, page_url: str, html: str) -> Page:
    own_host = client.base_url.host
    parser = _PageParser()
    parser.feed(html)
    external = [m for code in parser.inline_js for m in _ABSOLUTE.findall(code)]
    pending = [(ref, page_url) for ref in parser.urls]
    pending += [(ref, page_url) for css in parser.inline_css for ref in css_references(css)]
    loaded: dict[str, str] = {}
    failures: list[str] = []
    while pending:
        ref, found_in = pending.pop()
        url = urljoin(str(client.base_url.join(found_in)), ref).split("#")[0]
        if is_external(url, own_host):
            external.append(f"{ref} (in {found_in})")
            continue
        if urlsplit(url).scheme in INLINE_SCHEMES or url in loaded:
            continue
        loaded[url] = found_in
        response = await client.get(url)
        path = urlsplit(url).path
        content_type = response.headers.get("content-type", "")
        expected = EXPECTED_TYPES.get(path[path.rfind(".") :], ())
        if response.status_code != 200:
            failures.append(f"{url} (in {found_in}) answered {response.status_code}")
        elif not content_type.startswith(expected) or not expected:
            failures.append(f"{url} (in {found_in}) is served as {content_type!r}")
        else:
            pending += [(r, url) for r in references_in(response.text, content_type)]
    return Page(loaded, external, parser.inline_js, parser.inline_css, failures)
