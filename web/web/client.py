"""The one way the web app reaches data: the public API through the gateway, as the signed-in user.

Every call carries the user's own token, so the gateway and the services apply exactly the user's rights and
tenancy; the web app has no database and no identity of its own."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import httpx
from fastapi import Depends, Request
from plc_shared.errors import ProblemError, UnprocessableContent
from pydantic_core import from_json

from web.auth import CurrentUser

MAX_PAGES = 100  # the most pages Api.every reads of one list


def seg(value: Any) -> str:
    """One path segment of an API URL from a value a user can shape (an id from a page's URL or a form):
    percent-encoded, `/`, `?` and `#` included, and `.` / `..` too (httpx would resolve them away), so the value
    can only ever name a resource of the route the page meant to call. Every interpolated API path uses it
    (web/tests/test_api_paths.py checks)."""
    text = str(value)
    return text.replace(".", "%2E") if text in (".", "..") else quote(text, safe="")


class ApiError(ProblemError):
    """The API answered with a problem: its status and detail are shown to the user as they came."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("detail") or problem.get("title"), errors=problem.get("errors"))
        self.status = status
        self.title = problem.get("title") or "The request failed"


class TooLong(UnprocessableContent):
    """A list longer than the web app reads in one go (Api.every)."""

    title = "The list is too long"


class Api:
    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self._http, self._headers = http, {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        return _body(await self.raw(path, **query))

    async def page(self, path: str, **params: Any) -> tuple[Any, str | None]:
        """One page of a keyset-paged list and the cursor of the next, as the API's `Link: <…>; rel="next"`
        gives it (opaque: passed back as it came, never built here); None after the last page."""
        query = {k: v for k, v in params.items() if v not in (None, "")}
        response = await self.raw(path, **query)
        following = response.links.get("next", {}).get("url")
        return _body(response), httpx.URL(following).params.get("cursor") if following else None

    async def every(self, path: str, *, max_pages: int = MAX_PAGES, **params: Any) -> list:
        """Every item of a keyset-paged list: its pages one after the other by their `Link rel="next"`. A list
        longer than `max_pages` pages is an error, not a silent cut."""
        items, cursor = [], None
        for _ in range(max_pages):
            found, cursor = await self.page(path, **params, cursor=cursor)
            items.extend(found)
            if cursor is None:
                return items
        raise TooLong(
            f"The list has more than {max_pages} pages of {params.get('limit')} items; narrow it down."
        )

    async def get_or(self, default: Any, path: str, **params: Any) -> Any:
        """A read whose absence the page can live with (a 403/404 shows as `default`, not as an error)."""
        try:
            return await self.get(path, **params)
        except ApiError as exc:
            if exc.status in (403, 404):
                return default
            raise

    async def raw(self, path: str, **query: Any) -> httpx.Response:
        """A GET, sent once more on a fresh connection when a pooled one was closed under it (idempotent)."""
        try:
            return await self._http.get(path, params=query, headers=self._headers)
        except (httpx.RemoteProtocolError, httpx.ReadError):
            return await self._http.get(path, params=query, headers=self._headers)

    async def post(self, path: str, json: Any = None) -> Any:
        return _body(await self._http.post(path, json=json, headers=self._headers))

    async def post_bytes(self, path: str, content: bytes, content_type: str) -> Any:
        headers = {**self._headers, "Content-Type": content_type}
        return _body(await self._http.post(path, content=content, headers=headers, timeout=120.0))

    async def put(self, path: str, json: Any = None) -> Any:
        return _body(await self._http.put(path, json=json, headers=self._headers))

    async def patch(self, path: str, json: Any = None) -> Any:
        return _body(await self._http.patch(path, json=json, headers=self._headers))

    async def delete(self, path: str) -> Any:
        return _body(await self._http.delete(path, headers=self._headers))


def _body(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {"title": response.reason_phrase, "detail": response.text[:200]}
        raise ApiError(response.status_code, problem if isinstance(problem, dict) else {})
    if response.status_code == 204 or not response.content:
        return None
    # pydantic_core's parser (Rust): a district-wide data meeting's 12 MB analysis took 1.3 s with the json
    # module's (cProfile of web.meeting.service.meeting at 100,000 students; issue 25)
    return from_json(response.content)


async def get_api(request: Request, user: CurrentUser) -> Api:
    return Api(request.app.state.http, user.token)


UserApi = Annotated[Api, Depends(get_api)]
