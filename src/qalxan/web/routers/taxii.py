"""The TAXII 2.1 server: ``/taxii2/`` (discovery), ``/taxii2/{api_root}/...``.

Routes only negotiate, authenticate and shape; the answers come from :mod:`qalxan.cti.taxii`.
Every error on these routes, whether raised by the core, the authentication or the request
checks, is answered here as TAXII's error message (``title``, ``description``,
``http_status``, ``details``) in the TAXII media type, so the platform's own error mapping
(:mod:`qalxan.web.errors`) never sees it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from qalxan.cti.taxii import media, reading, resources, writing
from qalxan.cti.taxii.reading import Page
from qalxan.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    QalxanError,
    TooManyRequests,
    Unauthorized,
)
from qalxan.web.taxii_auth import REALM, TaxiiCtx

STATUS: dict[type[QalxanError], int] = {
    NotFound: 404,
    InvalidInput: 400,
    Conflict: 409,
    PayloadTooLarge: 413,
    Unauthorized: 401,
    Forbidden: 403,
    TooManyRequests: 429,
}
TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    429: "Too many requests",
}


def taxii(body: str | bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type=media.TAXII_21, headers=headers)


def error(status: int, description: str, field: str | None = None) -> Response:
    message: dict[str, Any] = {
        "title": TITLES.get(status, "Error"),
        "description": description,
        "http_status": str(status),
    }
    if field is not None:
        message["details"] = {"parameter": field}
    return taxii(json.dumps(message), status)


def _answer(exc: Exception) -> Response:
    if isinstance(exc, QalxanError):
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        response = error(status, exc.message, exc.field)
        if isinstance(exc, Unauthorized):
            response.headers["WWW-Authenticate"] = REALM
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        name = ".".join(str(p) for p in first["loc"][1:]) or None
        return error(400, f"{name}: {first['msg']}" if name else str(first["msg"]), name)
    assert isinstance(exc, HTTPException)
    return error(exc.status_code, str(exc.detail))


class TaxiiRoute(APIRoute):
    """A route whose errors are TAXII error messages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except (QalxanError, RequestValidationError, HTTPException) as exc:
                return _answer(exc)

        return answer


def negotiate(request: Request) -> None:
    if not media.acceptable(request.headers.get("accept")):
        raise HTTPException(406, f"this server answers only in {media.TAXII_21}")


router = APIRouter(
    prefix="/taxii2", tags=["taxii"], route_class=TaxiiRoute, dependencies=[Depends(negotiate)]
)
Root = Annotated[str, Path(max_length=64)]
Id = Annotated[str, Path(max_length=64)]
ObjectId = Annotated[str, Path(max_length=200)]


def _params(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items())


def _page(page: Page) -> Response:
    headers = {}
    if page.first is not None and page.last is not None:
        headers = {"X-TAXII-Date-Added-First": page.first, "X-TAXII-Date-Added-Last": page.last}
    return taxii(page.text, headers=headers)


def _json(value: dict[str, Any], status: int = 200) -> Response:
    return taxii(json.dumps(value), status)


@router.get("/", name="taxii_discovery", summary="Server discovery")
def discovery(request: Request, ctx: TaxiiCtx) -> Response:
    return _json(resources.discovery(ctx, str(request.url_for("taxii_discovery"))))


@router.get("/{api_root}/", summary="API root information")
def api_root(ctx: TaxiiCtx, api_root: Root) -> Response:
    return _json(resources.api_root(ctx, api_root))


@router.get("/{api_root}/status/{status_id}/", summary="A status resource")
def status(ctx: TaxiiCtx, api_root: Root, status_id: Id) -> Response:
    return _json(writing.status(ctx, api_root, status_id))


@router.get("/{api_root}/collections/", summary="The collections the caller may use")
def collections(ctx: TaxiiCtx, api_root: Root) -> Response:
    return _json(resources.listing(ctx, api_root))


@router.get("/{api_root}/collections/{collection_id}/", summary="A collection")
def collection(ctx: TaxiiCtx, api_root: Root, collection_id: Id) -> Response:
    return _json(resources.collection(ctx, api_root, collection_id))


@router.get("/{api_root}/collections/{collection_id}/objects/", summary="Objects, paged")
def objects(request: Request, ctx: TaxiiCtx, api_root: Root, collection_id: Id) -> Response:
    return _page(reading.objects(ctx, api_root, collection_id, _params(request)))


@router.post(
    "/{api_root}/collections/{collection_id}/objects/",
    status_code=202,
    summary="Add the objects of an envelope; answers with a status resource",
)
async def add(request: Request, ctx: TaxiiCtx, api_root: Root, collection_id: Id) -> Response:
    if not media.sendable(request.headers.get("content-type")):
        raise HTTPException(415, f"send the envelope as {media.TAXII_21}")
    body = await request.body()
    if len(body) > resources.MAX_CONTENT_LENGTH:
        raise PayloadTooLarge(f"the body exceeds {resources.MAX_CONTENT_LENGTH} bytes")
    done = await run_in_threadpool(writing.add, ctx, api_root, collection_id, body)
    return _json(done, 202)


@router.get(
    "/{api_root}/collections/{collection_id}/objects/{object_id}/", summary="An object's versions"
)
def one(
    request: Request, ctx: TaxiiCtx, api_root: Root, collection_id: Id, object_id: ObjectId
) -> Response:
    return _page(reading.one(ctx, api_root, collection_id, object_id, _params(request)))


@router.delete(
    "/{api_root}/collections/{collection_id}/objects/{object_id}/",
    summary="Remove an object's versions from the collection (the store keeps them)",
)
def remove(
    request: Request, ctx: TaxiiCtx, api_root: Root, collection_id: Id, object_id: ObjectId
) -> Response:
    writing.remove(ctx, api_root, collection_id, object_id, _params(request))
    return taxii(b"")


@router.get(
    "/{api_root}/collections/{collection_id}/objects/{object_id}/versions/",
    summary="The versions of an object, paged",
)
def versions(
    request: Request, ctx: TaxiiCtx, api_root: Root, collection_id: Id, object_id: ObjectId
) -> Response:
    return _page(reading.versions(ctx, api_root, collection_id, object_id, _params(request)))


@router.get("/{api_root}/collections/{collection_id}/manifest/", summary="Manifest, paged")
def manifest(request: Request, ctx: TaxiiCtx, api_root: Root, collection_id: Id) -> Response:
    return _page(reading.manifest(ctx, api_root, collection_id, _params(request)))
