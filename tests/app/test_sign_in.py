"""Optional sign-in (issue 14, point 5; docs/security.md): off by default; basic auth from a users
file of werkzeug hashes; or a trusted reverse proxy's user header. Every route is protected."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import flask
import pytest
from werkzeug.security import generate_password_hash

from dashboard.core.errors import InputError
from dashboard.core.settings import Settings
from dashboard.web import signin
from dashboard.web.app import create_app
from dashboard.web.callbacks import first_visit_request

PASSWORD = "correct horse battery staple"
CHEAP = "pbkdf2:sha256:1000"  # a real werkzeug hash, quick to check: the tests check many
SIGN_IN_VARIABLES = ("DASHBOARD_USERS_FILE", "DASHBOARD_TRUSTED_USER_HEADER", "DASHBOARD_TRUSTED_PROXY_ADDRESSES")
PATHS = ["/", "/_dash-layout", "/assets/map_boundaries.js", "/geo/icb.json", "/board-pack/view?level=icb"]
CALLBACK = "/_dash-update-component"


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def post_first_visit(client, headers: dict[str, str] | None = None):
    return client.post(CALLBACK, data=json.dumps(first_visit_request("")), headers={"Content-Type": "application/json", **(headers or {})})


@pytest.fixture(autouse=True)
def no_sign_in_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SIGN_IN_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sign-in") / "users"
    path.write_text(
        "# who may sign in\n\n"
        f"alice:{generate_password_hash(PASSWORD, method=CHEAP)}\n"
        f"bob:{generate_password_hash('another one')}\n",  # werkzeug's default, scrypt
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def basic_app(tiny_dataset, users_file: Path):
    return create_app(Settings(users_file=users_file, trusted_user_header=None, trusted_proxy_addresses=()), dataset=tiny_dataset,
                      warm_in_background=False)


@pytest.fixture(scope="module")
def basic_client(basic_app):
    return basic_app.server.test_client()


@pytest.fixture(scope="module")
def proxy_app(tiny_dataset):
    return create_app(Settings(users_file=None, trusted_user_header="X-Forwarded-User", trusted_proxy_addresses=("127.0.0.1", "10.1.0.0/16")),
                      dataset=tiny_dataset, warm_in_background=False)


def test_sign_in_is_off_by_default(tiny_dataset) -> None:
    settings = Settings()
    assert (settings.users_file, settings.trusted_user_header, settings.trusted_proxy_addresses) == (None, None, ())
    assert signin.sign_in_hook(settings) is None
    client = create_app(settings, dataset=tiny_dataset, warm_in_background=False).server.test_client()
    assert client.get("/").status_code == 200
    assert post_first_visit(client).status_code == 200


def test_the_environment_turns_it_on_for_the_cli_and_gunicorn(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(tmp_path / "users"))
    monkeypatch.setenv("DASHBOARD_TRUSTED_USER_HEADER", " X-Forwarded-User ")
    monkeypatch.setenv("DASHBOARD_TRUSTED_PROXY_ADDRESSES", "127.0.0.1, 10.0.0.0/8,")
    for settings in (Settings(), Settings.from_env()):
        assert settings.users_file == tmp_path / "users"
        assert settings.trusted_user_header == "X-Forwarded-User"
        assert settings.trusted_proxy_addresses == ("127.0.0.1", "10.0.0.0/8")


@pytest.mark.parametrize("path", PATHS + ["/no/such/page"])
def test_basic_auth_guards_every_route(basic_client, path: str) -> None:
    for headers in ({}, basic("alice", "wrong"), basic("mallory", PASSWORD), {"Authorization": "Bearer abc"}):
        response = basic_client.get(path, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith('Basic realm="Cancer Variation Explorer"')
        assert PASSWORD not in response.get_data(as_text=True)
    expected = 404 if path == "/no/such/page" else 200
    assert basic_client.get(path, headers=basic("alice", PASSWORD)).status_code == expected


def test_basic_auth_guards_the_callbacks(basic_client) -> None:
    assert post_first_visit(basic_client).status_code == 401
    assert post_first_visit(basic_client, basic("alice", "wrong")).status_code == 401
    assert post_first_visit(basic_client, basic("alice", PASSWORD)).status_code == 200
    assert post_first_visit(basic_client, basic("bob", "another one")).status_code == 200  # a scrypt hash


def test_the_signed_in_user_is_recorded_for_the_request(basic_client) -> None:
    with basic_client:
        basic_client.get("/geo/icb.json", headers=basic("alice", PASSWORD))
        assert flask.g.signed_in_user == "alice" == signin.signed_in_user()


def test_a_right_password_is_checked_in_full_once(basic_client, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = signin.check_password_hash
    monkeypatch.setattr(signin, "check_password_hash", lambda pwhash, password: calls.append(1) or real(pwhash, password))
    for _ in range(4):
        assert basic_client.get("/geo/outline.json", headers=basic("alice", PASSWORD + "!")).status_code == 401
    assert len(calls) == 4  # every wrong pair is checked in full
    calls.clear()
    hook = signin.BasicSignIn({"carol": generate_password_hash("pw", method=CHEAP)})
    assert [hook.check("carol", "pw") for _ in range(3)] == [None] * 3
    assert len(calls) == 1
    assert hook.check("carol", "pw2") == "wrong password" and hook.check("dave", "pw") == "unknown user"
    assert len(calls) == 3  # an unknown name is checked against a stand-in hash: it costs as much


def test_refusals_are_logged_without_the_password(basic_client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    long_name = "m" * 200
    basic_client.get("/", headers=basic("alice", PASSWORD + "-wrong"))
    basic_client.get("/", headers=basic(long_name, PASSWORD))
    basic_client.get("/", headers=basic("alice", PASSWORD))
    refused = [r for r in caplog.records if r.name == "dashboard.web.signin" and r.levelno == logging.WARNING]
    assert len(refused) == 2
    assert "wrong password" in refused[0].getMessage() and "'alice'" in refused[0].getMessage()
    assert "m" * 64 in refused[1].getMessage() and "m" * 65 not in refused[1].getMessage()
    assert PASSWORD not in caplog.text
    assert base64.b64encode(f"alice:{PASSWORD}".encode()).decode() not in caplog.text


@pytest.mark.parametrize(("text", "line", "said"), [
    ("alice\n", 1, "not `username:hash`"),
    ("# users\nalice:correct horse battery staple\n", 2, "not a werkzeug password hash"),
    ("alice:md5$salt$abcdef\n", 1, "neither scrypt nor pbkdf2"),
    ("alice:scrypt:x:8:1$salt$abcdef\n", 1, "scrypt parameters"),
    ("alice:pbkdf2:nosuchhash:1000$salt$abcdef\n", 1, "pbkdf2 parameters"),
    ("alice:scrypt:32768:8:1$salt$not-hex\n", 1, "not hexadecimal"),
    (":scrypt:32768:8:1$salt$abcdef\n", 1, "not `username:hash`"),
    ("alice:scrypt$salt$ab\n\nalice:scrypt$salt$cd\n", 3, "already on line 1"),
])
def test_a_bad_users_file_stops_the_start_naming_file_and_line(tmp_path: Path, text: str, line: int, said: str) -> None:
    path = tmp_path / "users"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        signin.read_users(path)
    message = str(raised.value)
    assert f"{path}, line {line}:" in message and said in message
    assert PASSWORD not in message
    assert "generate_password_hash" in message or "already" in said


@pytest.mark.parametrize("text", [b"", b"# nobody yet\n", b"\xff\xfe alice"])
def test_an_empty_or_unreadable_users_file_stops_the_start(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "users"
    path.write_bytes(text)
    with pytest.raises(InputError, match="DASHBOARD_USERS_FILE.* .*users.*(no users|not UTF-8)"):
        signin.read_users(path)


def test_a_missing_users_file_stops_the_app_starting(tiny_dataset, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"DASHBOARD_USERS_FILE: cannot read {tmp_path / 'absent'}: No such file"):
        create_app(Settings(users_file=tmp_path / "absent"), dataset=tiny_dataset, warm_in_background=False)


@pytest.mark.parametrize(("given", "said"), [
    ((Path("users"), "X-Forwarded-User", ()), "both set"),
    ((None, None, ("127.0.0.1",)), "without DASHBOARD_TRUSTED_USER_HEADER"),
    ((None, "X-Forwarded-User", ("proxy.example",)), "not an IP address"),
    ((None, "X_Forwarded_User", ()), "not a header name"),
])
def test_contradictory_settings_stop_the_start(given: tuple, said: str) -> None:
    users_file, header, addresses = given
    with pytest.raises(InputError, match=said):
        signin.sign_in_hook(Settings(users_file=users_file, trusted_user_header=header, trusted_proxy_addresses=addresses))


@pytest.mark.parametrize("path", PATHS)
def test_a_trusted_proxys_header_guards_every_route(proxy_app, path: str) -> None:
    client = proxy_app.server.test_client()
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"X-Forwarded-User": "  "}).status_code == 401
    assert client.get(path, headers={"X-Forwarded-User": "alice@example.nhs.uk"}).status_code == 200
    for remote in ("10.1.2.3", "::ffff:127.0.0.1"):
        assert client.get(path, headers={"X-Forwarded-User": "a"}, environ_overrides={"REMOTE_ADDR": remote}).status_code == 200


def test_the_header_given_twice_is_refused(proxy_app) -> None:
    client = proxy_app.server.test_client()
    twice = [("X-Forwarded-User", "alice"), ("X-Forwarded-User", "mallory")]  # joined by werkzeug as "alice, mallory"
    assert client.get("/", headers=twice).status_code == 403
    assert client.get("/", headers={"X-Forwarded-User": ","}).status_code == 403


def test_the_header_is_refused_from_an_untrusted_address(proxy_app, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="dashboard.web.signin")
    client = proxy_app.server.test_client()
    for remote in ("10.2.0.1", "192.0.2.7", ""):
        response = client.get("/", headers={"X-Forwarded-User": "alice"}, environ_overrides={"REMOTE_ADDR": remote})
        assert response.status_code == 403
    assert post_first_visit(client, {"X-Forwarded-User": "alice"}).status_code == 200
    assert "not from a trusted proxy address" in caplog.text
    with client:
        client.get("/", headers={"X-Forwarded-User": "alice"})
        assert signin.signed_in_user() == "alice"


def test_without_a_proxy_list_the_header_is_taken_from_anywhere(tiny_dataset) -> None:
    client = create_app(Settings(trusted_user_header="X-Remote-User"), dataset=tiny_dataset, warm_in_background=False).server.test_client()
    assert post_first_visit(client).status_code == 401
    assert post_first_visit(client, {"X-Forwarded-User": "alice"}).status_code == 401
    assert post_first_visit(client, {"X-Remote-User": "alice"}).status_code == 200


def test_the_apps_own_requests_pass_and_no_header_can_pass_for_one(basic_client, proxy_app) -> None:
    for server in (basic_client.application, proxy_app.server):
        client = server.test_client()
        for spoof in ({"Cancer-Variation-Explorer.Internal": "True"}, {"cancer_variation_explorer.internal": "1"}):
            assert client.get("/", headers=spoof).status_code == 401
        client.environ_base.update(signin.internal_request_environ())
        assert client.get("/").status_code == 200
        assert post_first_visit(client).status_code == 200
    assert not signin.is_internal({"cancer_variation_explorer.internal": "True"})
    assert not signin.is_internal({"HTTP_CANCER_VARIATION_EXPLORER.INTERNAL": True})


def test_a_worker_primes_itself_with_sign_in_on(basic_app) -> None:
    from dashboard.web.app import prime_worker

    assert prime_worker(basic_app) == 200
