"""The Google sign-in: OS keyring storage, the OAuth client file, the installed-app flow.

The keyring entry is small on purpose (Windows caps a secret at 2,560 bytes): refresh
token, scopes and account. Client id, secret and token URI stay in the client secrets file
the user picked. Access tokens live in memory only.

keyring and Google's auth libraries (~0.1 s) are imported when a sign-in is read, made or
used: the app imports this module as it starts (sync's menus and button), and the sync
worker loads them off the GUI thread (``sync.service.load_client_modules``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mentordesk.sync.errors import ClientSecretsMissing, SecureStorageUnavailable, SyncError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "mentordesk"
KEYRING_USERNAME = "google-calendar"
SCOPE_APP_CALENDAR = "https://www.googleapis.com/auth/calendar.app.created"
SCOPE_EVENTS = "https://www.googleapis.com/auth/calendar.events"
# Only to show which account is connected: the id token then carries its email address.
SCOPES_IDENTITY = ("openid", "https://www.googleapis.com/auth/userinfo.email")
# Scopes with which calendarList.list works; calendar.app.created is not one of them.
SCOPES_THAT_LIST = frozenset({
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.calendarlist",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
})
# RFC 8252 §8.3: the loopback IP literal, not "localhost" (which may resolve elsewhere or
# not at all where /etc/hosts lacks it).
LOOPBACK_HOST = "127.0.0.1"
CLIENT_SECRETS_ENV = "MENTORDESK_GOOGLE_CLIENT_SECRETS"
GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"

_INSTALL_HINT = (
    "Install and unlock a system keyring — GNOME Keyring (package gnome-keyring) or KWallet "
    "on Linux; on a machine without a desktop session start one with dbus-run-session. "
    "MentorDesk keeps working offline meanwhile."
)


def scopes_for(mode: str) -> list[str]:
    """Least privilege: our own calendar unless the user chose the primary one."""
    calendar = SCOPE_EVENTS if mode == "primary" else SCOPE_APP_CALENDAR
    return [calendar, *SCOPES_IDENTITY]


@dataclass(frozen=True)
class StoredSignIn:
    refresh_token: str
    scopes: tuple[str, ...]
    account: str | None = None
    # The MentorDesk calendar of this account, kept beside the token so that a new or
    # restored database file finds it (calendar.app.created cannot list calendars).
    calendar_id: str | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {"refresh_token": self.refresh_token,
                                "scopes": list(self.scopes), "account": self.account}
        if self.calendar_id:
            data["calendar_id"] = self.calendar_id
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> StoredSignIn:
        data = json.loads(text)
        if not isinstance(data, dict) or not data.get("refresh_token"):
            raise ValueError("not a MentorDesk sign-in")
        return cls(str(data["refresh_token"]), tuple(str(s) for s in data.get("scopes") or ()),
                   data.get("account"), data.get("calendar_id") or None)

    @property
    def can_list_calendars(self) -> bool:
        return bool(SCOPES_THAT_LIST & set(self.scopes))


@dataclass(frozen=True)
class ClientConfig:
    client_id: str
    client_secret: str
    token_uri: str
    auth_uri: str
    path: Path

    @property
    def revoke_uri(self) -> str:
        parsed = urllib.parse.urlsplit(self.token_uri)
        if parsed.netloc in ("oauth2.googleapis.com", "accounts.google.com"):
            return GOOGLE_REVOKE_URI
        base = parsed.path.rsplit("/", 1)[0]
        return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, f"{base}/revoke", "", ""))

    def flow_config(self) -> dict[str, Any]:
        return {"installed": {"client_id": self.client_id, "client_secret": self.client_secret,
                              "auth_uri": self.auth_uri, "token_uri": self.token_uri,
                              "redirect_uris": [f"http://{LOOPBACK_HOST}"]}}


def client_secrets_path(chosen: str | Path | None) -> Path | None:
    env = os.environ.get(CLIENT_SECRETS_ENV)
    if chosen:
        return Path(chosen).expanduser()
    return Path(env).expanduser() if env else None


def load_client_config(chosen: str | Path | None = None) -> ClientConfig:
    """Read the Desktop-app OAuth client the user downloaded from Google Cloud Console."""
    path = client_secrets_path(chosen)
    if path is None:
        raise ClientSecretsMissing(
            "No Google OAuth client file is set.",
            hint=f"Pick your client_secret.json in Tools ▸ Settings ▸ Google Calendar…, or set "
                 f"{CLIENT_SECRETS_ENV}. docs/google-calendar.md explains how to make one.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ClientSecretsMissing(f"Cannot read the OAuth client file {path}.",
                                   hint="Download it again from Google Cloud Console.") from exc
    section = data.get("installed") if isinstance(data, dict) else None
    if not isinstance(section, dict) or not section.get("client_id"):
        raise ClientSecretsMissing(
            f"{path.name} is not a Desktop app OAuth client.",
            hint="In Google Cloud Console create an OAuth client of type “Desktop app”.")
    return ClientConfig(
        client_id=str(section["client_id"]),
        client_secret=str(section.get("client_secret", "")),
        token_uri=str(section.get("token_uri") or "https://oauth2.googleapis.com/token"),
        auth_uri=str(section.get("auth_uri") or "https://accounts.google.com/o/oauth2/auth"),
        path=path,
    )


class CredentialStore:
    """The sign-in in the OS keyring. ``backend`` overrides keyring's choice (tests)."""

    def __init__(self, backend: Any = None) -> None:
        self._backend = backend

    def _keyring(self) -> Any:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = self._backend if self._backend is not None else keyring.get_keyring()
        # keyring's fail and null backends mean "no secure storage", not success.
        if isinstance(backend, fail.Keyring | null.Keyring) or (
                isinstance(backend, chainer.ChainerBackend) and not backend.backends):
            raise SecureStorageUnavailable("No secure password storage is available.",
                                           hint=_INSTALL_HINT)
        return backend

    def _guard(self, action: Callable[[Any], Any]) -> Any:
        from keyring import errors

        try:
            return action(self._keyring())
        except SecureStorageUnavailable:
            raise
        except errors.KeyringLocked as exc:
            raise SecureStorageUnavailable(
                "Your keyring is locked.",
                hint="Unlock it (log in to your desktop session or open your password "
                     "manager) and try again; nothing was lost.") from exc
        except errors.NoKeyringError as exc:
            raise SecureStorageUnavailable("No secure password storage is available.",
                                           hint=_INSTALL_HINT) from exc
        except errors.KeyringError as exc:
            raise SecureStorageUnavailable(
                f"The system keyring failed ({type(exc).__name__}).",
                hint="Check that it is running and unlocked, then try again.") from exc

    def load(self) -> StoredSignIn | None:
        raw = self._guard(lambda kr: kr.get_password(KEYRING_SERVICE, KEYRING_USERNAME))
        if not raw:
            return None
        try:
            return StoredSignIn.from_json(str(raw))
        except ValueError:
            log.warning("ignoring an unreadable Google sign-in in the keyring")
            return None

    def save(self, signin: StoredSignIn) -> None:
        self._guard(lambda kr: kr.set_password(KEYRING_SERVICE, KEYRING_USERNAME,
                                               signin.to_json()))

    def remember_calendar(self, calendar_id: str | None) -> None:
        """Keep the MentorDesk calendar's id with the sign-in (no-op when signed out)."""
        signin = self.load()
        if signin is not None and signin.calendar_id != calendar_id:
            self.save(replace(signin, calendar_id=calendar_id))

    def delete(self) -> None:
        from keyring import errors

        def remove(kr: Any) -> None:
            # Already gone is fine: disconnecting twice must not fail.
            with contextlib.suppress(errors.PasswordDeleteError):
                kr.delete_password(KEYRING_SERVICE, KEYRING_USERNAME)

        self._guard(remove)


def google_credentials(signin: StoredSignIn, client: ClientConfig) -> Any:
    """google-auth credentials that refresh themselves; the access token stays in memory."""
    from google.oauth2.credentials import Credentials

    return Credentials(  # type: ignore[no-untyped-call]
        token=None, refresh_token=signin.refresh_token,
                       token_uri=client.token_uri, client_id=client.client_id,
                       client_secret=client.client_secret, scopes=list(signin.scopes))


class _UrlHandoff(webbrowser.BaseBrowser):
    """A webbrowser "browser" that hands the sign-in URL to MentorDesk first, so the UI can
    show it when no real browser can be opened (webbrowser.Error on headless machines)."""

    def __init__(self, on_url: Callable[[str], None] | None,
                 launch: Callable[[str], bool] | None) -> None:
        super().__init__("mentordesk")
        self._on_url = on_url
        self._launch = launch

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        if self._on_url is not None:
            self._on_url(url)
        launch = self._launch or _open_system_browser
        try:
            return bool(launch(url))
        except webbrowser.Error:
            log.info("no web browser could be opened; the sign-in URL is shown instead")
            return False


def _open_system_browser(url: str) -> bool:
    return webbrowser.get().open(url, new=1, autoraise=True)


def run_oauth_flow(client: ClientConfig, scopes: list[str], *, timeout_seconds: int = 300,
                   on_url: Callable[[str], None] | None = None,
                   launch: Callable[[str], bool] | None = None) -> StoredSignIn:
    """The installed-app flow: loopback redirect on a random port, PKCE, offline access.

    Blocks until the browser comes back or ``timeout_seconds`` pass: run it in a worker.
    """
    from google_auth_oauthlib.flow import InstalledAppFlow

    flow = InstalledAppFlow.from_client_config(client.flow_config(), scopes=scopes)
    name = f"mentordesk-handoff-{id(flow)}"
    webbrowser.register(name, None, _UrlHandoff(on_url, launch))
    try:
        creds = flow.run_local_server(
            host=LOOPBACK_HOST, port=0, open_browser=True, browser=name,
            authorization_prompt_message="", timeout_seconds=timeout_seconds,
            prompt="consent", access_type="offline")
    except Exception as exc:
        if type(exc).__name__ == "WSGITimeoutError":
            raise SyncError("Google sign-in timed out.",
                            hint="Press Connect again and finish signing in in the "
                                 "browser.") from exc
        if "access_denied" in str(exc):
            raise SyncError("Google sign-in was cancelled.",
                            hint="Press Connect again to allow access.") from exc
        raise
    finally:
        webbrowser._browsers.pop(name, None)  # type: ignore[attr-defined]
    if not creds.refresh_token:
        raise SyncError("Google did not grant offline access.",
                        hint="Remove MentorDesk's access in your Google account and connect "
                             "again.")
    return StoredSignIn(creds.refresh_token, tuple(creds.scopes or scopes),
                        account_from_id_token(getattr(creds, "id_token", None)))


def account_from_id_token(id_token: object) -> str | None:
    """The email address in an OpenID Connect id token (a JWT), for display only.

    The token came straight from the token endpoint over TLS in the same exchange, which is
    what OpenID Connect Core §3.1.3.7 allows instead of checking its signature.
    """
    if isinstance(id_token, dict):
        email = id_token.get("email")
        return str(email) if email else None
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        return None
    payload = id_token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, TypeError):
        return None
    email = claims.get("email") if isinstance(claims, dict) else None
    return str(email) if email else None


def revoke(signin: StoredSignIn, client: ClientConfig, timeout: float = 15.0) -> bool:
    """Ask Google to revoke the refresh token; False when that could not be done."""
    data = urllib.parse.urlencode({"token": signin.refresh_token}).encode()
    request = urllib.request.Request(
        client.revoke_uri, data=data, method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return 200 <= int(response.status) < 300
    except urllib.error.HTTPError as exc:
        log.warning("revoking the Google token failed with HTTP %s", exc.code)
        return False
    except OSError as exc:
        log.warning("revoking the Google token failed: %s", type(exc).__name__)
        return False


def connect(store: CredentialStore, client: ClientConfig, mode: str, *,
            timeout_seconds: int = 300, on_url: Callable[[str], None] | None = None,
            launch: Callable[[str], bool] | None = None) -> StoredSignIn:
    # Fail before the browser dance if there is nowhere safe to keep the result.
    store._keyring()
    signin = run_oauth_flow(client, scopes_for(mode), timeout_seconds=timeout_seconds,
                            on_url=on_url, launch=launch)
    store.save(signin)
    return signin


def disconnect(store: CredentialStore, client: ClientConfig | None) -> bool:
    """Revoke (best effort) and delete the sign-in; True when Google confirmed the revoke."""
    signin = store.load()
    revoked = False
    if signin is not None and client is not None:
        revoked = revoke(signin, client)
    store.delete()
    return revoked
