"""The API's one error shape: `{"error": "what is wrong", "errors": [{"field", "message"}]}`.

Handlers turn FastAPI's own validation failures and the API's refusals into that shape, so a
caller parses every 4xx and 5xx the same way.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from workflows.messages import FieldError
from workflows.validation import PYDANTIC_PREFIX


class ErrorBody(BaseModel):
    error: str
    errors: list[FieldError] = []


class ApiError(Exception):
    """A request the API answers with HTTP `code` and the error body; `extra` adds fields."""

    def __init__(
        self,
        code: int,
        error: str,
        errors: list[FieldError] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(error)
        self.code, self.error, self.errors, self.extra = code, error, errors or [], extra

    def response(self) -> JSONResponse:
        body = ErrorBody(error=self.error, errors=self.errors).model_dump(mode="json")
        return JSONResponse({**body, **self.extra}, status_code=self.code)


SOURCES = ("body", "query", "path", "header")


def field_errors(errors: list[Any]) -> list[FieldError]:
    """pydantic's errors as the contract's `{field, message}`, without FastAPI's leading
    `body`/`query` part of the location."""
    fields = []
    for e in errors:
        if e["type"] == "json_invalid":
            fields.append(FieldError(field="body", message="is not JSON"))
            continue
        location = [str(p) for p in e["loc"]]
        if location[:1] and location[0] in SOURCES:
            location = location[1:]
        message = e["msg"].removeprefix(PYDANTIC_PREFIX)
        fields.append(FieldError(field=".".join(location) or "body", message=message))
    return fields


async def _api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return error.response()


async def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = field_errors(list(error.errors()))
    return ApiError(422, "the request does not validate", fields).response()


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return ApiError(error.status_code, str(error.detail)).response()


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
