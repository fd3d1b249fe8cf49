"""`shiftgate users add --site`: a gateway user bound to one site, and what its token may do."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gateway.auth.service import principal_from_token
from gateway.cli.main import app
from gateway.testing.config_files import write_config_dir
from hrcore.db import make_engine, make_session_factory


def _run(url: str, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        app, list(args), env={"SHIFTGATE_DATABASE_URL": url, "COLUMNS": "200"}
    )


def test_a_gateway_user_is_bound_to_a_site(sqlite_url: str, tmp_path: Path) -> None:
    write_config_dir(tmp_path / "ber", [], site="BER-1", timezone="Europe/Berlin")
    assert _run(sqlite_url, "config", "apply", "--config-dir", str(tmp_path / "ber")).exit_code == 0
    added = _run(
        sqlite_url,
        "users",
        "add",
        "gw-ber",
        "--role",
        "gateway",
        "--site",
        "BER-1",
        "--no-password",
    )
    assert added.exit_code == 0, added.output
    assert "site BER-1 only" in added.output
    token = _run(sqlite_url, "users", "token", "gw-ber").stdout.strip().splitlines()[-1]
    listed = _run(sqlite_url, "users", "list")
    assert "BER-1" in listed.output
    engine = make_engine(sqlite_url)
    try:
        with make_session_factory(engine)() as session:
            principal = principal_from_token(session, token)
    finally:
        engine.dispose()
    assert principal is not None and principal.site == "BER-1"


def test_binding_needs_a_known_site_and_the_gateway_role(sqlite_url: str) -> None:
    unknown = _run(
        sqlite_url, "users", "add", "gw-x", "--role", "gateway", "--site", "NOPE", "--no-password"
    )
    assert unknown.exit_code != 0
    assert "no site 'NOPE'" in unknown.output
    hr = _run(sqlite_url, "users", "add", "ana", "--role", "hr", "--site", "NOPE", "--no-password")
    assert hr.exit_code != 0
    assert "only a gateway user is bound to a site" in hr.output
