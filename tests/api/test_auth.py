"""API keys (hashed, revocable) and the panel's signed session cookie."""

from __future__ import annotations

from api.auth import make_session_cookie, read_session_cookie
from knowledge.apikeys import create_key, hash_key, list_keys, revoke_key, verify_key
from knowledge.models import ApiKey
from knowledge.settings import ApiSettings
from tests.api.conftest import ApiHarness


def test_keys_are_stored_hashed_and_revocable(api: ApiHarness) -> None:
    sessions = api.services.sessions
    record, plain = create_key(sessions, name="ops", role="admin")
    with sessions() as s:
        row = s.get(ApiKey, record.id)
        assert row is not None and row.key_hash == hash_key(plain) and plain not in row.key_hash
        assert plain.startswith(f"kz_{row.prefix}_")
    assert verify_key(sessions, plain) == record
    assert verify_key(sessions, plain[:-1] + ("A" if plain[-1] != "A" else "B")) is None
    assert verify_key(sessions, "not-a-key") is None
    revoke_key(sessions, record.prefix)
    assert verify_key(sessions, plain) is None
    assert any(k.id == record.id and not k.active for k in list_keys(sessions))


def test_cookie_signature_and_expiry() -> None:
    settings = ApiSettings(session_secret="s1", session_max_age_s=60)
    value = make_session_cookie(settings, 7, now=1000)
    assert read_session_cookie(settings, value, now=1010) == 7
    assert read_session_cookie(settings, value, now=2000) is None  # expired
    assert read_session_cookie(ApiSettings(session_secret="s2"), value, now=1010) is None
    forged = value.replace("7.", "8.", 1)
    assert read_session_cookie(settings, forged, now=1010) is None


def test_panel_sign_in_sets_httponly_samesite_cookie_and_revoke_ends_it(api: ApiHarness) -> None:
    record, plain = create_key(api.services.sessions, name="desk", role="agent")
    c = api.client
    c.cookies.clear()
    bad = c.post("/session", json={"api_key": "kz_nope_nope"})
    assert bad.status_code == 401
    r = c.post("/session", json={"api_key": plain})
    assert r.status_code == 200 and r.json() == {"name": "desk", "role": "agent"}
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and plain.lower() not in cookie
    assert c.get("/session").json()["name"] == "desk"
    assert c.get("/customers", params={"q": "山田"}).status_code == 200
    assert c.get("/audit").status_code == 403  # the cookie carries the key's role
    revoke_key(api.services.sessions, record.id)
    assert c.get("/session").status_code == 401
    c.cookies.clear()


def test_sign_out_clears_the_cookie(api: ApiHarness) -> None:
    c = api.client
    c.post("/session", json={"api_key": api.keys["sales"]})
    assert c.get("/session").status_code == 200
    assert c.delete("/session").status_code == 204
    assert c.get("/session").status_code == 401


def test_errors_have_a_code_and_say_what_is_wrong(api: ApiHarness) -> None:
    r = api.client.get("/customers")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"]["code"] == "unauthorized"
    r = api.client.get("/audit", headers=api.headers("agent"))
    assert r.status_code == 403 and "agent" in r.json()["error"]["message"]
    r = api.client.get("/customers", params={"q": ""}, headers=api.headers("agent"))
    assert r.status_code == 422 and "q" in r.json()["error"]["message"]


def test_key_admin_routes(api: ApiHarness) -> None:
    h = api.headers("admin")
    created = api.client.post("/keys", json={"name": "bot", "role": "marketing"}, headers=h)
    assert created.status_code == 201
    key = created.json()["key"]
    assert api.client.get("/session", headers={"X-API-Key": key}).json()["role"] == "marketing"
    listed = api.client.get("/keys", headers=h).json()
    assert all("key" not in k and "key_hash" not in k for k in listed)
    assert api.client.delete(f"/keys/{created.json()['id']}", headers=h).status_code == 200
    assert api.client.get("/session", headers={"X-API-Key": key}).status_code == 401
    assert api.client.delete("/keys/999999", headers=h).status_code == 404
