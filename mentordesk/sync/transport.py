"""The HTTP client the sync talks through: httplib2 with a deadline for each whole request
and an answer check, so the world's unpleasant networks end a sync with a plain reason.

httplib2's ``timeout`` bounds each socket operation, not the request: a server (or a broken
proxy) that trickles a byte a second keeps a request alive for ever. A watchdog thread
closes the request's sockets when its deadline passes or the sync is cancelled, which makes
the blocked read fail at once. A hotel or café network that answers every address with its
login page (HTTP 200, HTML) would otherwise reach the JSON decoder; it is recognised here.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

import httplib2

POLL_SECONDS = 0.1


class RequestAborted(OSError):
    """The request passed its deadline, or the sync was cancelled while it ran."""


class NotGoogle(OSError):
    """Something other than Google answered: a network's login page, a proxy's notice."""


class GuardedHttp(httplib2.Http):  # type: ignore[misc]
    def __init__(self, *, timeout: float, deadline: float, cancel: threading.Event) -> None:
        super().__init__(timeout=timeout)
        self._deadline = deadline
        self._cancel = cancel

    def request(self, uri: str, method: str = "GET", body: Any = None,
                headers: Any = None, redirections: int = httplib2.DEFAULT_MAX_REDIRECTS,
                connection_type: Any = None) -> tuple[Any, bytes]:
        finished = threading.Event()
        fired: list[str] = []
        watchdog = threading.Thread(target=self._watch, args=(finished, fired),
                                    name="sync-request-watchdog", daemon=True)
        watchdog.start()
        try:
            response, content = super().request(uri, method, body, headers, redirections,
                                                 connection_type)
        except Exception as exc:
            if fired:
                raise RequestAborted(fired[0]) from exc
            raise
        finally:
            finished.set()
            watchdog.join()
        if fired:
            raise RequestAborted(fired[0])
        content_type = str(response.get("content-type", "")).lower()
        if 200 <= int(response.status) < 300 and content_type.startswith("text/html"):
            raise NotGoogle("a web page answered instead of Google")
        return response, content

    def _watch(self, finished: threading.Event, fired: list[str]) -> None:
        end = time.monotonic() + self._deadline
        while not finished.is_set():
            if self._cancel.is_set():
                fired.append("cancelled")
            elif time.monotonic() >= end:
                fired.append(f"no complete answer within {self._deadline:.0f} s")
            if fired:
                self._abort()
                return
            finished.wait(min(POLL_SECONDS, max(0.0, end - time.monotonic())))

    def _abort(self) -> None:
        # Shutting the sockets down wakes the thread blocked reading from them.
        for connection in list(self.connections.values()):
            sock = getattr(connection, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
