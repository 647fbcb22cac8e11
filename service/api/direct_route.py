"""A route class for hot endpoints whose inputs are the request and request-only dependencies.

FastAPI's dependency solver reads query parameters, headers, cookies and the body for every route, and
for POST /v1/differential it cost a quarter of an uncached request. An endpoint that takes the `Request`
(it parses its own body) and dependencies that need nothing but the request gets them called directly;
any other endpoint keeps FastAPI's handler. The route is declared as usual (OpenAPI, response model for
the docs, `Depends` in the signature), so the only difference is who calls the dependencies.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _request_only(call: Callable[..., Any]) -> bool:
    """An async callable whose one parameter is the request."""
    if not inspect.iscoroutinefunction(call):
        return False
    parameters = list(inspect.signature(call).parameters.values())
    return len(parameters) == 1 and parameters[0].annotation in (Request, "Request")


class DirectRoute(APIRoute):
    """An APIRoute that calls its request-only dependencies itself (see the module docstring)."""

    def get_route_handler(self) -> Handler:
        dependant = self.dependant
        plain = dependant.query_params or dependant.header_params or dependant.cookie_params
        special = (
            dependant.websocket_param_name,
            dependant.http_connection_param_name,
            dependant.response_param_name,
            dependant.background_tasks_param_name,
            dependant.security_scopes_param_name,
        )
        subs = dependant.dependencies
        direct = (
            dependant.request_param_name is not None
            and not plain
            and not any(special)
            and not dependant.path_params
            and not dependant.body_params
            and all(sub.call is not None and not sub.dependencies and _request_only(sub.call) for sub in subs)
            and inspect.iscoroutinefunction(dependant.call)
        )
        if not direct:
            return super().get_route_handler()
        endpoint = dependant.call
        request_name = dependant.request_param_name
        calls = [(sub.name, sub.call) for sub in subs if sub.name is not None and sub.call is not None]
        if endpoint is None or request_name is None or len(calls) != len(subs):
            return super().get_route_handler()

        async def handler(request: Request) -> Response:
            arguments: dict[str, Any] = {request_name: request}
            for name, call in calls:
                arguments[name] = await call(request)
            response: Response = await endpoint(**arguments)
            return response

        return handler
