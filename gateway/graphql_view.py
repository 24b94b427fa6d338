"""GraphQL over HTTP on top of strawberry's ASGI view.

Adds what the GraphQL-over-HTTP spec asks and stock strawberry lacks: answers in
`application/graphql-response+json` when the client accepts it, with 400 for a request that
could not be executed at all (parse or validation errors), and 406 for an Accept header we
cannot satisfy. It also turns the caller's bearer token into the Viewer every resolver
authorizes against: a bad token is a 401 before any GraphQL runs (HTTP), or a refused
connection (websocket, token in the connection_init payload or the upgrade request).
The IDE page is the gateway's own, loading nothing from outside (gateway/web/graphiql.py).
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.types.unset import UnsetType

from gateway.auth import ANONYMOUS, TokenError, Viewer
from gateway.limits import bounded_graphql_body, method_or_media_refusal
from gateway.runtime import Runtime
from gateway.web.graphiql import graphiql_page
from resolvers import Context

GRAPHQL_RESPONSE = "application/graphql-response+json"


class _SubResponse(Response):
    wants_graphql_response = False


class GraphQLView(GraphQL[Context, None]):
    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        runtime: Runtime = request.app.state.runtime
        viewer: Viewer = request.scope.get("state", {}).get("viewer", ANONYMOUS)
        return Context(runtime, viewer)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        if header is not None:
            if not isinstance(header, str):
                raise ConnectionRejectionError({"message": "authorization must be a string"})
            try:
                context.viewer = context.runtime.auth.viewer({"authorization": header})
            except TokenError as exc:
                raise ConnectionRejectionError({"message": str(exc)}) from None
        return await super().on_ws_connect(context)

    async def render_graphql_ide(self, request: Request) -> Response:
        # strawberry's own page loads GraphiQL from a CDN and is blank offline.
        return graphiql_page(request)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub = _SubResponse()
        sub.status_code = None  # type: ignore[assignment]
        del sub.headers["content-length"]
        sub.wants_graphql_response = prefers_graphql_response(request.headers.get("accept", ""))
        return sub

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in {"http", "websocket"}:
            runtime: Runtime = scope["app"].state.runtime
            try:
                viewer = runtime.auth.viewer(Headers(scope=scope))
            except TokenError as exc:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4403, "reason": str(exc)})
                    return
                response = JSONResponse(
                    {"errors": [{"message": str(exc)}]},
                    status_code=401,
                    headers={"www-authenticate": 'Bearer error="invalid_token"'},
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["viewer"] = viewer
        if scope["type"] == "http" and (refusal := method_or_media_refusal(scope)) is not None:
            await refusal(scope, receive, send)
            return
        if scope["type"] == "http" and scope["method"] == "POST":
            accept = Request(scope).headers.get("accept", "")
            if accept and not acceptable(accept):
                response = JSONResponse(
                    {"errors": [{"message": f"cannot answer in any of: {accept}"}]},
                    status_code=406,
                )
                await response(scope, receive, send)
                return
            limit = scope["app"].state.runtime.settings.graphql_max_body_bytes
            receive, refusal = await bounded_graphql_body(scope, receive, limit)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if getattr(sub_response, "wants_graphql_response", False):
            response.headers["content-type"] = GRAPHQL_RESPONSE
            # Parse and validation errors carry no `path`: the operation never ran.
            errors = response_data.get("errors") if isinstance(response_data, dict) else None
            not_executed = (
                isinstance(response_data, dict)
                and response_data.get("data") is None
                and bool(errors)
                and all(isinstance(e, dict) and "path" not in e for e in errors or [])
            )
            if not_executed and not sub_response.status_code:
                response.status_code = 400
        return response


def _media_types(accept: str) -> list[str]:
    return [part.split(";")[0].strip().lower() for part in accept.split(",") if part.strip()]


def prefers_graphql_response(accept: str) -> bool:
    types = _media_types(accept)
    return GRAPHQL_RESPONSE in types and (
        "application/json" not in types
        or types.index(GRAPHQL_RESPONSE) < types.index("application/json")
    )


def acceptable(accept: str) -> bool:
    return any(
        t in {GRAPHQL_RESPONSE, "application/json", "application/*", "*/*"}
        for t in _media_types(accept)
    )
