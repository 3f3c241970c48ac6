"""The wallboard's web application (Starlette): the page and its API, nothing else.

Routes are a fixed table: ``/`` and the page's own files (read once from the package, looked
up by exact name: no path from a request ever reaches the file system), ``GET /api/meta``,
``GET /api/snapshot``, ``GET /api/feed`` (server-sent events) and ``POST /api/control``.
Controls must be sent as JSON, which a page of another origin cannot do without a CORS
pre-flight that this server never grants; bound to loopback, only loopback host names are
accepted (no DNS rebinding).
"""

from __future__ import annotations

import argparse
from importlib import resources
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from sim.serve.board import dumps
from sim.serve.driver import Client, Driver
from sim.stream import parse_speed

STATIC = {"index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
          "style.css": "text/css; charset=utf-8"}
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
           "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
           "Referrer-Policy": "no-referrer"}
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]
MAX_ROWS = 2000


def _json(data: Any, status: int = 200) -> Response:
    return Response(dumps(data), status, media_type="application/json", headers=HEADERS)


def _error(message: str, status: int = 400) -> Response:
    return _json({"error": message}, status)


def _page_files() -> dict[str, bytes]:
    root = resources.files("sim.serve") / "static"
    return {name: (root / name).read_bytes() for name in STATIC}


def make_app(driver: Driver, loopback: bool = True) -> Starlette:
    """The application serving ``driver``'s board."""
    files = _page_files()

    def static(name: str):
        async def endpoint(request: Request) -> Response:
            return Response(files[name], media_type=STATIC[name], headers=HEADERS)
        return endpoint

    async def meta(request: Request) -> Response:
        return _json(driver.board.meta())

    async def snapshot(request: Request) -> Response:
        return _json(driver.snapshot())

    async def feed(request: Request) -> Response:
        q = request.query_params
        rows_text = q.get("rows", "50")
        if rows_text == "all":
            rows: int | None = None
        else:
            try:
                rows = max(0, min(MAX_ROWS, int(rows_text)))
            except ValueError:
                return _error(f"rows: expected a number or 'all', got {rows_text!r}")
        agent = q.get("agent") or None
        if agent is not None:       # a login id stands for its agent
            agent = driver.board.objects.agent_by_login.get(agent, agent)
        client = driver.hub.add(Client(q.get("dn") or None, agent, q.get("conn") or None,
                                       rows, q.get("records") in ("1", "true")))

        async def stream():
            try:
                yield b"retry: 1000\n\n"
                while True:
                    message = await client.next()
                    if message is None:
                        return
                    yield b"data: " + message + b"\n\n"
            finally:
                driver.hub.remove(client)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={**HEADERS, "X-Accel-Buffering": "no"})

    async def control(request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error("send the control as application/json", 415)
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError as exc:
            return _error(f"body: not JSON ({exc})")
        if not isinstance(body, dict):
            return _error("body: expected a JSON object")
        action = body.get("action")
        if action not in ("pause", "resume", "step", "speed"):
            return _error("action: expected pause, resume, step or speed")
        speed = driver.pacer.speed
        if action == "speed":
            try:
                speed = parse_speed(str(body.get("speed", "")))
            except argparse.ArgumentTypeError as exc:
                return _error(f"speed: {exc}")
        count = body.get("count", 1)
        if not isinstance(count, int) or not 1 <= count <= 10000:
            return _error("count: expected a whole number from 1 to 10000")
        await driver.control(action, speed, count)
        return _json(driver.state())

    routes = [Route("/", static("index.html")),
              *(Route(f"/static/{name}", static(name)) for name in STATIC if name != "index.html"),
              Route("/api/meta", meta),
              Route("/api/snapshot", snapshot),
              Route("/api/feed", feed),
              Route("/api/control", control, methods=["POST"])]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_NAMES)] if loopback else []
    return Starlette(routes=routes, middleware=middleware)
