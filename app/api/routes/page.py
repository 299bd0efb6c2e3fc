"""`GET /`: the community builders' page (a map of the locality to add and edit assets on)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.api.deps import SettingsDep
from app.web.page import page_html

router = APIRouter(tags=["page"])


@router.get("/", response_class=HTMLResponse, summary="The community builders' page")
def community_page(settings: SettingsDep) -> HTMLResponse:
    return HTMLResponse(page_html(settings))
