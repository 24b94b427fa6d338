"""The UPS pull client: the connector's only I/O.

UPS answers one tracking number per request, so the client needs to know which numbers to
poll: `UpsConfig.tracking_numbers` (fixed) plus whatever `UpsConfig.open_tracking_numbers()`
returns (the gateway's open UPS shipments). Each `fetch` polls the next `batch_size` numbers in
sorted order, `concurrency` requests at a time, and says `more` while the round is not
finished, so a long list is spread over several pages (each well inside the runner's fetch
timeout) and a failure only repeats one batch.

The cursor is JSON: `{"v": 1, "after": <last number of the previous batch, or null when a
round is complete>, "seen": {<number>: <fingerprint of its activity list>}}`. A number's
response goes into the page only when its fingerprint changed since the last poll, so an
unchanged parcel costs one request and no payload; events are deduplicated by id anyway.
Numbers UPS does not know yet (TW0001 / 404) yield nothing; a number UPS refuses (400, e.g.
TV1002) yields its error body once, so it is dead-lettered with the reason.

OAuth: a client-credentials token from `POST <token_url>` (HTTP Basic client_id:secret),
cached until shortly before it expires and requested again once when the API answers 401.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from connectors.sdk import Page, RateLimited, SourceUnavailable, safe_json
from connectors.ups.config import UpsConfig

_NUMBER = re.compile(r"^[A-Za-z0-9]{7,34}$")  # what UPS accepts as an inquiry number
TOKEN_MARGIN = 60.0  # seconds: a token this close to expiry is renewed first


@dataclass
class Cursor:
    after: str | None = None
    seen: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, text: str | None) -> Cursor:
        """A cursor we cannot read starts a fresh round (re-polled events deduplicate)."""
        try:
            state = safe_json.loads(text) if text else {}
        except json.JSONDecodeError:
            return cls()
        if not isinstance(state, dict) or state.get("v") != 1:
            return cls()
        after = state.get("after")
        seen = state.get("seen")
        return cls(
            after=after if isinstance(after, str) else None,
            seen={
                k: v for k, v in (seen or {}).items() if isinstance(k, str) and isinstance(v, str)
            }
            if isinstance(seen, dict)
            else {},
        )

    def dump(self) -> str:
        return json.dumps(
            {"v": 1, "after": self.after, "seen": dict(sorted(self.seen.items()))},
            separators=(",", ":"),
        )


class UpsTrackClient:
    def __init__(
        self,
        config: UpsConfig,
        http: httpx.AsyncClient,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._http = http
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._token_lock = asyncio.Lock()

    async def fetch(self, cursor: str | None) -> Page:
        state = Cursor.load(cursor)
        numbers = await self._numbers()
        pending = [n for n in numbers if state.after is None or n > state.after]
        batch = pending[: self._config.batch_size]
        more = len(pending) > len(batch)
        payloads: list[bytes] = []
        seen = dict(state.seen)
        for number, answer in zip(batch, await self._track_all(batch), strict=True):
            if answer is None:
                continue
            body, fingerprint = answer
            if seen.get(number) != fingerprint:
                seen[number] = fingerprint
                payloads.append(body)
        if not more:  # a round is complete: forget numbers that are no longer open
            still_open = set(numbers)
            seen = {n: f for n, f in seen.items() if n in still_open}
        after = batch[-1] if more else None
        return Page(
            payloads=tuple(payloads),
            cursor=Cursor(after, seen).dump(),
            content_type="application/json",
            more=more,
        )

    async def _numbers(self) -> list[str]:
        numbers = set(self._config.tracking_numbers)
        if self._config.open_tracking_numbers is not None:
            numbers.update(await self._config.open_tracking_numbers())
        return sorted(n.strip() for n in numbers if _NUMBER.match(n.strip()))

    async def _track_all(self, batch: list[str]) -> list[tuple[bytes, str] | None]:
        """A batch at a bounded concurrency, so it takes about one request's time; the first
        failure cancels the rest (a rate limit is reported before anything else)."""
        limit = asyncio.Semaphore(self._config.concurrency)

        async def one(number: str) -> tuple[bytes, str] | None:
            async with limit:
                return await self._track(number)

        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(number)) for number in batch]
        except ExceptionGroup as failed:
            first = next(
                (e for e in failed.exceptions if isinstance(e, RateLimited)), failed.exceptions[0]
            )
            raise first from None
        return [task.result() for task in tasks]

    # -- one tracking number --------------------------------------------------------------

    async def _track(self, number: str) -> tuple[bytes, str] | None:
        url = f"{self._config.base_url}/track/v1/details/{quote(number, safe='')}"
        params = {"locale": self._config.locale, "returnSignature": "false"}
        response = await self._get(url, params)
        status, body = response.status_code, response.content
        if status == 200:
            document = _json(body)
            if document is None:
                return body, _digest(body)  # translate dead-letters it with the reason
            if _not_found(document):
                return None
            return body, _fingerprint(document)
        if status in (400, 404) and _ups_errors(_json(body)):
            return None if status == 404 else (body, _digest(body))
        if status == 429:
            raise RateLimited(_retry_after(response))
        if status >= 500:
            raise SourceUnavailable(f"UPS track API answered HTTP {status}")
        raise SourceUnavailable(
            f"UPS track API answered HTTP {status} without a UPS error body (check base_url)"
        )

    async def _get(self, url: str, params: Mapping[str, str]) -> httpx.Response:
        token = await self._access_token()
        response = await self._send(url, params, token)
        if response.status_code == 401:  # expired or revoked: one fresh token, one retry
            response = await self._send(url, params, await self._access_token(refused=token))
            if response.status_code == 401:
                raise SourceUnavailable(
                    "UPS refused the credentials: the track API answered 401 to a fresh token"
                )
        if response.status_code == 403:
            raise SourceUnavailable(
                "UPS refused the credentials: the track API answered 403 (blocked merchant or "
                "no access to the Tracking product)"
            )
        return response

    async def _send(self, url: str, params: Mapping[str, str], token: str) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {token}",
            "transId": uuid.uuid4().hex,
            "transactionSrc": self._config.transaction_src,
            "Accept": "application/json",
        }
        return await self._request("track API", "GET", url, params=params, headers=headers)

    # -- OAuth ----------------------------------------------------------------------------

    async def _access_token(self, *, refused: str | None = None) -> str:
        """The cached token, or a new one when it expired or is the one UPS just `refused`
        (requests running side by side renew it once, not once each)."""
        async with self._token_lock:
            fresh = self._token is not None and self._clock() < self._expires_at
            if self._token is not None and fresh and self._token != refused:
                return self._token
            self._token = None
            response = await self._request(
                "OAuth token endpoint",
                "POST",
                self._config.oauth_url,
                data={"grant_type": "client_credentials"},
                auth=httpx.BasicAuth(
                    self._config.client_id, self._config.client_secret.get_secret_value()
                ),
                headers={"Accept": "application/json"},
            )
            status = response.status_code
            if status in (400, 401, 403):
                raise SourceUnavailable(
                    f"UPS refused the credentials: the OAuth token request answered HTTP {status}"
                )
            if status == 429:
                raise RateLimited(_retry_after(response))
            if status != 200:
                raise SourceUnavailable(f"UPS OAuth token request answered HTTP {status}")
            answer = _json(response.content) or {}
            token, lifetime = answer.get("access_token"), _seconds(answer.get("expires_in"))
            if not isinstance(token, str) or not token:
                raise SourceUnavailable("UPS OAuth answer has no access_token")
            self._token = token
            self._expires_at = self._clock() + max(lifetime - TOKEN_MARGIN, 0.0)
            return token

    async def _request(self, what: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        timeout = self._config.timeout
        try:
            return await self._http.request(method, url, timeout=timeout, **kwargs)
        except httpx.TimeoutException:
            raise SourceUnavailable(f"UPS {what} did not answer within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"cannot reach the UPS {what} ({type(exc).__name__})") from None


def _json(body: bytes) -> dict[str, Any] | None:
    try:
        document = safe_json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return document if isinstance(document, dict) else None


def _ups_errors(document: Mapping[str, Any] | None) -> bool:
    response = document.get("response") if document else None
    return isinstance(response, dict) and isinstance(response.get("errors"), list)


def _not_found(document: Mapping[str, Any]) -> bool:
    """A 200 answer without any package: UPS has nothing for this number yet (TW0001)."""
    track = document.get("trackResponse")
    if not isinstance(track, dict):
        return False
    shipments = track.get("shipment")
    return isinstance(shipments, list) and not any(
        isinstance(s, dict) and s.get("package") for s in shipments
    )


def _fingerprint(document: Mapping[str, Any]) -> str:
    """What makes a response new: each package's scans and delivery estimate (no names)."""
    key: list[Any] = []
    track = document.get("trackResponse")
    shipments = track.get("shipment") if isinstance(track, dict) else None
    for shipment in shipments if isinstance(shipments, list) else []:
        for package in (shipment.get("package") or []) if isinstance(shipment, dict) else []:
            if not isinstance(package, dict):
                continue
            scans = [
                [a.get(k) for k in ("date", "time", "gmtDate", "gmtTime")]
                + [(a.get("status") or {}).get(k) for k in ("type", "code", "statusCode")]
                for a in package.get("activity") or []
                if isinstance(a, dict)
            ]
            key.append(
                [
                    package.get("trackingNumber"),
                    scans,
                    package.get("deliveryDate"),
                    package.get("deliveryTime"),
                ]
            )
    return _digest(json.dumps(key, sort_keys=True, default=str).encode())


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:16]


def _seconds(value: Any) -> float:
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return 0.0


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After as seconds (a number of seconds or an HTTP date); None when absent."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)
