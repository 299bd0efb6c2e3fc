"""An operator configures the service with environment variables, as the README's table
lists them: each concern's settings read their own prefix, and what cannot work is refused
at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import AnalysisSettings, ApiSettings, AuthSettings, DatabaseSettings

pytestmark = pytest.mark.fast


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_database_url_as_libpq_writes_it_is_used_through_psycopg(
    monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"{scheme}://maps:secret@db.example.org:5433/assets")

    assert DatabaseSettings().url == "postgresql+psycopg://maps:secret@db.example.org:5433/assets"


def test_without_a_database_url_the_local_cluster_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("ASSETMAP_DB_PORT", "54400")
    monkeypatch.setenv("ASSETMAP_DB_POOL_SIZE", "3")

    settings = DatabaseSettings()

    assert (settings.url, settings.port, settings.pool_size) == (None, 54400, 3)


def test_each_concern_reads_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSETMAP_PAGE_DEFAULT", raising=False)
    monkeypatch.setenv("ASSETMAP_PAGE_MAX", "500")
    monkeypatch.setenv("ASSETMAP_SERVICE_EXTENT", "[-8.2, 54.0, -5.4, 55.3]")  # N. Ireland
    monkeypatch.setenv("ASSETMAP_CORS_ORIGINS", '["https://maps.example.gov.uk"]')
    monkeypatch.setenv("ASSETMAP_ANALYSIS_MAX_LINKS", "1000")
    monkeypatch.setenv("ASSETMAP_AUTH_FREE_FAILURES", "3")

    api, analysis, auth = ApiSettings(), AnalysisSettings(), AuthSettings()

    assert api.page_max == 500 and api.page_default == 100
    assert api.service_extent == (-8.2, 54.0, -5.4, 55.3)
    assert api.cors_origins == ["https://maps.example.gov.uk"]
    assert analysis.max_links == 1000 and auth.free_failures == 3


def test_a_service_extent_the_wrong_way_round_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETMAP_SERVICE_EXTENT", "[2.0, 61.0, -8.8, 49.8]")  # max before min

    with pytest.raises(ValidationError, match="service_extent"):
        ApiSettings()
