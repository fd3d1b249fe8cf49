"""Routes the devices call: ZKTeco PUSH (``/iclock/...``) and Hikvision event notifications
(``/isapi/events[/<serial>]``). Devices send no tokens: they are known by serial (and
quarantined when unknown). The work is in :mod:`gateway.push`; this module only moves bytes."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from drivers.adms.protocol import AdmsRequest
from gateway.api.deps import StateDep
from gateway.api.state import AppState
from gateway.push.adms import PushReply
from gateway.push.service import PushService

router = APIRouter(tags=["push devices"], include_in_schema=False)


def _push(state: AppState) -> PushService | None:
    return state.push


def _answer(reply: PushReply) -> Response:
    return Response(reply.text, status_code=reply.status, media_type=reply.content_type)


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


@router.api_route("/iclock/{endpoint}", methods=["GET", "POST"])
async def iclock(endpoint: str, request: Request, state: StateDep) -> Response:
    push = _push(state)
    if push is None:
        return Response("ERROR: this instance receives no push devices\n", 404)
    req = AdmsRequest(
        method=request.method,
        path=request.url.path,
        query=dict(request.query_params),
        content_type=request.headers.get("content-type"),
        body=await request.body(),
    )
    return _answer(await run_in_threadpool(push.adms.handle, req, _address(request)))


async def _isapi(request: Request, state: AppState, serial: str | None) -> Response:
    push = _push(state)
    if push is None:
        return Response("this instance receives no push devices\n", 404)
    body = await request.body()
    reply = await run_in_threadpool(
        push.isapi.handle, serial, body, request.headers.get("content-type"), _address(request)
    )
    return _answer(reply)


@router.post("/isapi/events")
async def isapi_events(request: Request, state: StateDep) -> Response:
    return await _isapi(request, state, None)


@router.post("/isapi/events/{serial}")
async def isapi_events_of(serial: str, request: Request, state: StateDep) -> Response:
    return await _isapi(request, state, serial)
