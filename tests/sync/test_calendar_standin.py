"""The stand-in itself behaves like the Calendar API reference says (driven by the real
client library), so tests against it mean something."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from mentordesk.storage import sync_repo
from mentordesk.storage.database import Database
from mentordesk.sync import engine as engine_module
from mentordesk.sync.credentials import ClientConfig, StoredSignIn, google_credentials
from tests.support.calendar_standin import SCOPE_FULL, CalendarStandIn, Fault
from tests.sync.conftest import EngineFactory, add_sessions, calendar_id

WHEN = {"start": {"dateTime": "2026-03-02T10:00:00+01:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-03-02T11:00:00+01:00", "timeZone": "Europe/Berlin"}}


@pytest.fixture
def api(standin: CalendarStandIn, client_config: ClientConfig) -> Iterator[Any]:
    """The client library with a full-calendar token: these tests use the primary calendar."""
    import importlib

    signin = StoredSignIn(standin.issue_refresh_token([SCOPE_FULL]), (SCOPE_FULL,))

    import httplib2
    from googleapiclient.discovery import build

    google_auth_httplib2 = importlib.import_module("google_auth_httplib2")
    http = google_auth_httplib2.AuthorizedHttp(google_credentials(signin, client_config),
                                               http=httplib2.Http(timeout=5))
    service = build("calendar", "v3", http=http, cache_discovery=False,
                    client_options={"api_endpoint": standin.api_endpoint})
    yield service
    http.http.close()


def reason(exc: HttpError) -> str:
    return str(exc.error_details[0]["reason"])


def test_ids_duplicates_and_deleted_events(api: Any) -> None:
    events = api.events()
    body = {"id": "abcdef0123456789", "summary": "x", **WHEN}
    created = events.insert(calendarId="primary", body=body).execute()
    assert created["id"] == "abcdef0123456789" and created["etag"]
    with pytest.raises(HttpError) as info:
        events.insert(calendarId="primary", body=body).execute()
    assert (info.value.status_code, reason(info.value)) == (409, "duplicate")
    with pytest.raises(HttpError) as info:
        events.insert(calendarId="primary", body={**body, "id": "UPPER-case"}).execute()
    assert info.value.status_code == 400
    events.delete(calendarId="primary", eventId=body["id"]).execute()
    assert events.get(calendarId="primary", eventId=body["id"]).execute()["status"] == \
        "cancelled"
    with pytest.raises(HttpError) as info:  # a deleted id stays taken
        events.insert(calendarId="primary", body=body).execute()
    assert info.value.status_code == 409
    with pytest.raises(HttpError) as info:
        events.delete(calendarId="primary", eventId=body["id"]).execute()
    assert info.value.status_code == 410
    revived = events.patch(calendarId="primary", eventId=body["id"],
                           body={"status": "confirmed"}).execute()
    assert revived["status"] == "confirmed"


def test_etags_if_match_put_and_conference(api: Any) -> None:
    events = api.events()
    body = {"id": "etag0000001", "summary": "x", **WHEN,
            "extendedProperties": {"private": {"k": "v"}},
            "conferenceData": {"createRequest": {"requestId": "r1"}}}
    created = events.insert(calendarId="primary", body=body).execute()
    assert "hangoutLink" not in created  # no conferenceDataVersion=1: ignored
    request = events.patch(calendarId="primary", eventId="etag0000001",
                           body={"summary": "y"})
    request.headers["If-Match"] = '"stale"'
    with pytest.raises(HttpError) as info:
        request.execute()
    assert (info.value.status_code, reason(info.value)) == (412, "conditionNotMet")
    request = events.patch(calendarId="primary", eventId="etag0000001",
                           body={"summary": "y"}, conferenceDataVersion=1)
    request.headers["If-Match"] = created["etag"]
    patched = request.execute()
    assert patched["etag"] != created["etag"]
    assert patched["extendedProperties"] == {"private": {"k": "v"}}
    with_meet = events.patch(calendarId="primary", eventId="etag0000001",
                             body={"conferenceData": {"createRequest": {"requestId": "r1"}}},
                             conferenceDataVersion=1).execute()
    # A new conference starts pending; reading the event again finds it made.
    assert with_meet["conferenceData"]["createRequest"]["status"]["statusCode"] == "pending"
    assert "hangoutLink" not in with_meet
    with_meet = events.get(calendarId="primary", eventId="etag0000001").execute()
    assert with_meet["conferenceData"]["createRequest"]["status"]["statusCode"] == "success"
    assert with_meet["hangoutLink"].startswith("https://meet.google.com/")
    assert with_meet["conferenceData"]["entryPoints"][0]["uri"] == with_meet["hangoutLink"]
    # A requestId Google has seen before is ignored: no conference for the second event.
    again = events.insert(calendarId="primary", conferenceDataVersion=1, body={
        "id": "etag0000002", "summary": "again", **WHEN,
        "conferenceData": {"createRequest": {"requestId": "r1"}}}).execute()
    assert "conferenceData" not in again
    replaced = events.update(calendarId="primary", eventId="etag0000001",
                             body={"summary": "z", **WHEN}).execute()
    assert "extendedProperties" not in replaced  # PUT drops what it omits
    with pytest.raises(HttpError) as info:  # recurring without time zone
        events.insert(calendarId="primary", body={
            "summary": "r", "recurrence": ["RRULE:FREQ=DAILY"],
            "start": {"dateTime": "2026-03-02T10:00:00+01:00"},
            "end": {"dateTime": "2026-03-02T11:00:00+01:00"}}).execute()
    assert "Missing time zone definition" in str(info.value.reason)


def test_paging_and_sync_tokens(api: Any, standin: CalendarStandIn) -> None:
    events = api.events()
    for i in range(5):
        events.insert(calendarId="primary", body={"id": f"page{i:06d}", **WHEN}).execute()
    first = events.list(calendarId="primary", maxResults=2).execute()
    assert len(first["items"]) == 2 and "nextSyncToken" not in first
    second = events.list(calendarId="primary", maxResults=2,
                         pageToken=first["nextPageToken"]).execute()
    third = events.list(calendarId="primary", maxResults=2,
                        pageToken=second["nextPageToken"]).execute()
    assert len(third["items"]) == 1 and "nextPageToken" not in third
    token = third["nextSyncToken"]
    assert events.list(calendarId="primary", syncToken=token).execute()["items"] == []
    events.delete(calendarId="primary", eventId="page000003").execute()
    changes = events.list(calendarId="primary", syncToken=token).execute()
    assert [(e["id"], e["status"]) for e in changes["items"]] == [("page000003", "cancelled")]
    with pytest.raises(HttpError) as info:
        events.list(calendarId="primary", syncToken=token, timeMin="2026-01-01T00:00:00Z"
                    ).execute()
    assert info.value.status_code == 400
    standin.invalidate_sync_tokens()
    with pytest.raises(HttpError) as info:
        events.list(calendarId="primary", syncToken=token).execute()
    assert (info.value.status_code, reason(info.value)) == (410, "fullSyncRequired")


def test_batch_endpoint_and_token_refresh(api: Any, standin: CalendarStandIn) -> None:
    from googleapiclient.http import BatchHttpRequest

    # A single call first: a batch that has to refresh the token itself does so over a
    # throwaway connection the library never closes.
    api.calendarList().list().execute()
    answers: dict[str, Any] = {}
    batch = BatchHttpRequest(callback=lambda rid, resp, exc: answers.__setitem__(rid, (resp, exc)),
                             batch_uri=engine_module.batch_uri_for(standin.api_endpoint))
    batch.add(api.events().insert(calendarId="primary", body={"id": "batch00001", **WHEN}),
              request_id="a")
    batch.add(api.events().get(calendarId="primary", eventId="missing00"), request_id="b")
    batch.execute()
    assert answers["a"][0]["id"] == "batch00001"
    assert answers["b"][1].status_code == 404
    assert [r.path for r in standin.log] == ["/token", "/calendar/v3/users/me/calendarList",
                                             "/batch/calendar/v3"]
    assert engine_module.batch_uri_for("https://www.googleapis.com/calendar/v3/") == \
        "https://www.googleapis.com/batch/calendar/v3"


def test_token_is_stored_only_after_the_last_page(db: Database, standin: CalendarStandIn,
                                                  make_engine: EngineFactory,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from mentordesk.sync.errors import ServiceTrouble

    add_sessions(db, 5)
    make_engine().run()
    cal = calendar_id(db)
    with db.reader() as s:
        token = sync_repo.get_state(s, "sync_token")
    for i in range(5):
        standin.remote_add(cal, f"Remote {i}", *_times(i))
    monkeypatch.setattr(engine_module, "PAGE_SIZE", 2)
    # Pages 1 and 2 come back; from page 3 on (the previous request had a pageToken) every
    # request fails until the sync gives up half-way through the listing.
    original_take = standin.faults.take

    def take(method: str, path: str, scope: str) -> Fault | None:
        if method == "GET" and "pageToken" in standin.log[-1].query:
            return Fault("status", 503)
        return original_take(method, path, scope)

    monkeypatch.setattr(standin.faults, "take", take)
    with pytest.raises(ServiceTrouble):
        make_engine().run()
    with db.reader() as s:
        assert sync_repo.get_state(s, "sync_token") == token
    monkeypatch.setattr(standin.faults, "take", original_take)
    summary = make_engine().run()
    assert summary.pulled == 5
    with db.reader() as s:
        assert sync_repo.get_state(s, "sync_token") != token
        from mentordesk.storage.schema import Session as Row
        assert s.query(Row).count() == 10


def _times(i: int) -> tuple[Any, Any]:
    from datetime import timedelta

    from tests.sync.conftest import START

    return START + timedelta(days=i), START + timedelta(days=i, hours=1)
