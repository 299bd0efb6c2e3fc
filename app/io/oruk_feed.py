"""Another directory's Open Referral UK feed (HSDS 3.0, UK profile), read whole.

`read_feed` reads every service of a feed, from an ORUK API or a JSON file, before anything
is written, so a feed that fails half-way writes nothing; app.io.oruk_rows maps them onto
assets.
"""

from __future__ import annotations

import json
import re
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import httpx

from app.io.sources import SourceError

# How long one page may take to start answering, and between its bytes (seconds).
TIMEOUT_S = 30.0
# A listed service without these is the list's short form: its full form is fetched.
_NESTED = ("service_at_locations", "schedules", "attributes")


class FeedError(SourceError):
    """The feed as a whole cannot be read: the message, for a person, names the URL or page
    (or the file) and says why."""


def read_feed(
    source: str,
    modified_after: datetime | None = None,
    *,
    client: httpx.Client | None = None,
    per_page: int = 100,
    max_pages: int = 10_000,
) -> list[dict[str, Any]]:
    """Every service of a feed, fully nested, in the feed's order.

    `source` is the base URL of an ORUK API (`https://example.org/oruk`), the URL of its
    `/services` list, or the path of a JSON file holding a list of services, a page of them
    (`contents`) or one service. From an API, pages of `per_page` services are read (only
    those changed on or after `modified_after`, when given) until the last, and a service
    listed in short form is fetched whole from `/services/{id}`. `client` (for tests and
    proxies) replaces the default one, which waits at most TIMEOUT_S seconds.

    Raises FeedError when any page, service or the file cannot be read: an HTTP error, a
    body that is not JSON or is cut off, a page without `contents`, a feed that loops or
    has more than `max_pages` pages, a service without an `id`, no connection in time.
    """
    if re.match(r"^https?://", source, re.IGNORECASE) is None:
        return _read_file(Path(source))
    if per_page < 1 or max_pages < 1:
        raise ValueError("per_page and max_pages must be at least 1")
    services_url = _services_url(source)
    opened = (
        nullcontext(client)
        if client is not None
        else httpx.Client(
            timeout=TIMEOUT_S,
            follow_redirects=True,
            headers={"Accept": "application/json", "User-Agent": "community-asset-map"},
        )
    )
    with opened as http:
        listed = _listed_services(http, services_url, modified_after, per_page, max_pages)
        return [
            _full_service(http, services_url, service_id, service) for service_id, service in listed
        ]


def _services_url(source: str) -> httpx.URL:
    """The `/services` list of the API at `source` (the base URL or the list's own), with any
    query the user gave (a filter the API takes) kept."""
    try:
        url = httpx.URL(source)
    except httpx.InvalidURL as broken:
        raise FeedError(f"{source}: is not a URL ({broken})") from None
    path = url.path.rstrip("/")
    if not path.endswith("/services"):
        path += "/services"
    return url.copy_with(path=path)


def _listed_services(
    http: httpx.Client,
    services_url: httpx.URL,
    modified_after: datetime | None,
    per_page: int,
    max_pages: int,
) -> list[tuple[str, dict[str, Any]]]:
    """(id, service) of every service the pages list, each once, in order."""
    query = {"per_page": str(per_page), "full": "true"}
    if modified_after is not None:
        query["modified_after"] = modified_after.isoformat()
    services: list[tuple[str, dict[str, Any]]] = []
    seen_ids: set[str] = set()
    seen_pages: set[int] = set()
    page = 1
    while True:
        if page > max_pages:
            raise FeedError(f"{services_url} has more than {max_pages} pages: stopped reading")
        where = f"page {page} of {services_url}"
        body = _get_json(http, services_url.copy_merge_params({**query, "page": str(page)}), where)
        contents = _contents(body, where)
        number = _whole(body.get("page_number"))
        total = _whole(body.get("total_pages"))
        if page == 1 and total is not None and total > max_pages:
            raise FeedError(f"{services_url} has {total} pages, more than {max_pages} read at most")
        number = page if number is None else number
        if number in seen_pages:
            raise FeedError(f"{where} says it is page {number} again: the feed loops")
        seen_pages.add(number)
        ids = [
            _service_id(service, f"service {index} on {where}")
            for index, service in enumerate(contents, start=1)
        ]
        if ids and seen_ids.issuperset(ids):
            raise FeedError(f"{where} lists only services read already: the feed loops")
        for service_id, service in zip(ids, contents, strict=True):
            # A service moved to a later page by a change while the feed is read is the
            # same service, read once.
            if service_id not in seen_ids:
                seen_ids.add(service_id)
                services.append((service_id, service))
        more = total is not None and number < total
        if body.get("last_page") is True or (total is not None and not more):
            return services
        if not contents and not more:
            return services
        page += 1


def _full_service(
    http: httpx.Client, services_url: httpx.URL, service_id: str, service: dict[str, Any]
) -> dict[str, Any]:
    """A listed service, fetched whole from `/services/{id}` when the list gave it short
    (without its locations, schedules or taxonomy terms)."""
    if all(key in service for key in _NESTED):
        return service
    url = services_url.copy_with(
        path=f"{services_url.path}/{quote(service_id, safe='')}", query=None
    )
    where = f"service {service_id} ({url})"
    body = _get_json(http, url, where)
    answered = _service_id(body, where)
    if answered != service_id:
        raise FeedError(f"{where} answered with service {answered}")
    return cast(dict[str, Any], body)  # _service_id saw it is an object


def _get_json(http: httpx.Client, url: httpx.URL, where: str) -> Any:
    """The JSON `url` answers; FeedError naming `where` for anything else."""
    try:
        response = http.get(url)
    except httpx.TimeoutException as slow:
        limit = http.timeout.read
        within = "in time" if limit is None else f"within {limit:g} s"
        raise FeedError(f"{where} did not answer {within} ({type(slow).__name__})") from None
    except (httpx.HTTPError, httpx.InvalidURL) as broken:
        raise FeedError(f"{where} could not be read ({type(broken).__name__}: {broken})") from None
    if not response.is_success:
        raise FeedError(
            f"{where} answered HTTP {response.status_code} {response.reason_phrase}".rstrip()
        )
    try:
        return json.loads(response.content)
    except ValueError as broken:  # JSONDecodeError, or bytes that are not text
        raise FeedError(f"{where} is not JSON, or was cut off half-way ({broken})") from None


def _contents(body: Any, where: str) -> list[Any]:
    """The services of an ORUK page envelope."""
    if not isinstance(body, dict) or "contents" not in body:
        raise FeedError(f"{where} is not a page of services: it has no `contents`")
    contents = body["contents"]
    if not isinstance(contents, list):
        raise FeedError(f"{where} is not a page of services: its `contents` is not a list")
    return contents


def _service_id(service: Any, where: str) -> str:
    if not isinstance(service, dict):
        raise FeedError(f"{where} is not a service (an object) but {type(service).__name__}")
    service_id = service.get("id")
    if isinstance(service_id, bool) or not isinstance(service_id, str | int):
        service_id = None
    if service_id is None or not str(service_id).strip():
        named = f" ({service['name']!r})" if isinstance(service.get("name"), str) else ""
        raise FeedError(f"{where}{named} has no `id`")
    return str(service_id)


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _read_file(path: Path) -> list[dict[str, Any]]:
    """The services of a JSON file: a list of them, a page envelope, or one service."""
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise FeedError(f"{path.name}: no such file") from None
    except OSError as broken:
        raise FeedError(f"{path.name}: cannot be read ({broken.strerror})") from None
    try:
        body = json.loads(text)
    except ValueError as broken:
        raise FeedError(f"{path.name}: is not valid JSON ({broken})") from None
    if isinstance(body, list):
        services = body
    elif isinstance(body, dict) and "contents" in body:
        services = _contents(body, path.name)
    elif isinstance(body, dict) and "id" in body:
        services = [body]
    else:
        raise FeedError(
            f"{path.name}: holds no services: neither a list of them, a page of them "
            "(`contents`) nor one service (an object with an `id`)"
        )
    for index, service in enumerate(services, start=1):
        _service_id(service, f"{path.name}: service {index}")
    return services
