"""Response headers that keep browsers safe: no MIME sniffing, no referrer leaks, and on
pages a Content-Security-Policy that lets them load only this service's own files (and the
basemap's tiles), and no other site frame them (but the embeddable map, which the sites
configured may: `embed_policy`); and the one that lets any site's page read the open feed."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The service's pages run only its own script files...
PAGE_SCRIPTS = "script-src 'self'"
# ...but folium's maps and the API docs, which write their scripts inline.
INLINE_SCRIPTS = "script-src 'self' 'unsafe-inline'"
INLINE_PATHS = ("/maps/", "/docs")
# What any site's page may read: the Open Referral UK feed, which holds only what the
# public sees (and no credentials are ever sent with it).
OPEN_PATHS = ("/oruk",)
ONLY_SELF_FRAMES = "frame-ancestors 'self'"


def content_security_policy(
    scripts: str, basemap_url: str, frame_ancestors: Sequence[str] = ()
) -> str:
    """The policy of a page running `scripts` and showing the basemap's tiles, which only
    this service's pages and those of `frame_ancestors` (origins) may frame."""
    tiles = urlsplit(basemap_url)
    images = "img-src 'self' data:" + (
        f" {tiles.scheme}://{tiles.netloc}" if tiles.scheme and tiles.netloc else ""
    )
    return "; ".join(
        [
            "default-src 'self'",
            scripts,
            # Leaflet positions its panes and markers with inline styles
            "style-src 'self' 'unsafe-inline'",
            images,
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            " ".join([ONLY_SELF_FRAMES, *frame_ancestors]),
        ]
    )


def embed_policy(basemap_url: str, embed_origins: Sequence[str]) -> str:
    """The embeddable map's policy (its route sets it): its own scripts, framed by this
    service's pages and the sites of `embed_origins`."""
    return content_security_policy(PAGE_SCRIPTS, basemap_url, embed_origins)


class SecurityHeaders:
    """Add the headers to every response; the policy to HTML ones that set none. Only a
    page whose policy frames it on this service alone says X-Frame-Options SAMEORIGIN:
    that header knows no list of sites, and older browsers would obey it over the policy."""

    def __init__(self, app: ASGIApp, basemap_url: str) -> None:
        self.app = app
        self.page_policy = content_security_policy(PAGE_SCRIPTS, basemap_url)
        self.inline_policy = content_security_policy(INLINE_SCRIPTS, basemap_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        inline = scope["path"].startswith(INLINE_PATHS)
        open_to_all = scope["path"].startswith(OPEN_PATHS)
        policy = self.inline_policy if inline else self.page_policy

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if open_to_all:
                    headers["Access-Control-Allow-Origin"] = "*"
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", policy)
                    if _framed_only_here(headers["Content-Security-Policy"]):
                        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _framed_only_here(policy: str) -> bool:
    directives = (part.strip() for part in policy.split(";"))
    return ONLY_SELF_FRAMES in directives
