"""Shared fixtures: a fresh database per test on SQLite and, when configured, PostgreSQL.

PostgreSQL tests use the server at ``CASEAPP_TEST_PG_URL`` (each test gets its own schema).
Without it they are skipped, unless ``CASEAPP_REQUIRE_PG=1`` (CI), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from caseapp.app import App, open_app

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "samples"

# Qt tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PG_URL_ENV = "CASEAPP_TEST_PG_URL"
PG_REQUIRED = os.environ.get("CASEAPP_REQUIRE_PG") == "1"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("CASEAPP_LANG", "en")
    from caseapp.i18n import set_language

    set_language("en")


def _pg_base_url() -> str | None:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        if PG_REQUIRED:
            pytest.fail(f"CASEAPP_REQUIRE_PG=1 but {PG_URL_ENV} is not set", pytrace=False)
        pytest.skip(f"PostgreSQL tests need a server: set {PG_URL_ENV} "
                    "(e.g. postgresql+psycopg://user:pw@127.0.0.1/db)")
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose search_path is a fresh, empty schema on the test server."""
    base = _pg_base_url()
    assert base is not None
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the server is configured but not reachable
        admin.dispose()
        if PG_REQUIRED:
            pytest.fail(f"PostgreSQL at {PG_URL_ENV} is required but unreachable: {exc}",
                        pytrace=False)
        pytest.skip(f"PostgreSQL at {PG_URL_ENV} unreachable: {exc}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'ws' / 'caseapp.db').as_posix()}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    return ws


@pytest.fixture
def app(db_url: str, workspace: Path) -> Iterator[App]:
    with open_app(workspace, db_url, actor="tester") as application:
        yield application


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"sample files not found at {SAMPLES}")
    return SAMPLES
