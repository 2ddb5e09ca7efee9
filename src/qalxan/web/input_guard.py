"""Refuse text no database can store before it reaches a route.

PostgreSQL text cannot hold NUL characters (SQLite can, and then nothing else can read them
back sensibly), so a NUL anywhere in a path, query parameter or JSON body is answered with a
422 naming where it was, instead of a database error (file uploads excepted: their bytes are
not text). Bodies over the size limit get 413.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 10 * 1024 * 1024


class InputGuard:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in unquote(scope.get("path", "")):
            await _refuse(send, 422, "path: must not contain NUL characters", "path")
            return
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            if "\x00" in name or "\x00" in value:
                await _refuse(send, 422, f"{name}: must not contain NUL characters", name)
                return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                await _refuse(send, 413, f"the request body exceeds {self.max_body} bytes", None)
                return
        if not _binary(scope) and (b"\x00" in body or b"\\u0000" in body):
            await _refuse(send, 422, "body: must not contain NUL characters", "body")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _binary(scope: Scope) -> bool:
    """Uploads carry files, whose bytes may be anything; their text fields are checked by the
    routes that read them."""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            kind = value.split(b";")[0].strip().lower()
            return kind in (b"multipart/form-data", b"application/octet-stream")
    return False


async def _refuse(send: Send, status: int, message: str, field: str | None) -> None:
    code = "invalid_input" if status == 422 else "payload_too_large"
    payload: dict[str, Any] = {"error": {"code": code, "message": message, "field": field}}
    body = json.dumps(payload).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
