"""One MentorDesk window per database file.

Two windows on one file used to overwrite each other's notes. Now the app holds the
file's app lock (``storage.locks``) for as long as it runs, and listens on a local socket
named by a hash of the file's resolved path (and the user). A second start on the same
file finds the lock taken, asks the first over the socket to come to the front, and exits.

After a crash the lock is gone with the process (the kernel drops it); the socket file may
be left behind, so the instance that takes the lock removes any server of that name
before listening (``QLocalServer.removeServer``): holding the lock proves it is stale.

The app listens once its first view answers (``SingleInstance.listen``), and QtNetwork is
imported then: its ~5 ms are not spent before the window paints. A second start in that
moment finds the lock taken and asks again until the first one listens (``ASK_SECONDS``).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from mentordesk.errors import KnownError
from mentordesk.storage.locks import FileLock, path_key, resolved, try_app_lock

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

ACTIVATE = b"activate\n"
ACTIVATED = b"ok\n"
# How long a second start keeps asking a first one that holds the lock but does not answer
# yet (it is still starting — it listens once its first view answers, at the latest after
# the app's 3-second fallback — or a restore from the command line holds the file).
ASK_SECONDS = 6.0


def server_name(db_path: Path) -> str:
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return f"mentordesk-{uid}-{path_key(db_path)}"


class SingleInstance(QObject):
    """The running app's claim on its file: the app lock and the socket it listens on."""

    activate_requested = Signal()

    def __init__(self, db_path: Path, lock: FileLock) -> None:
        super().__init__()
        self.db_path = resolved(db_path)
        self.lock = lock
        self.name = server_name(self.db_path)
        self.server: QLocalServer | None = None

    def listen(self) -> None:
        """Answer second starts from now on (once; the app calls it when it answers)."""
        if self.server is not None:
            return
        from PySide6.QtNetwork import QLocalServer

        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # We hold the lock, so a server of this name is a crashed instance's leftover.
        QLocalServer.removeServer(self.name)
        if not self.server.listen(self.name):
            log.warning("cannot listen for second starts: %s", self.server.errorString())
        self.server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data())
        if line == ACTIVATE:
            log.info("a second start on this file: brought the window to the front")
            self.activate_requested.emit()
            socket.write(ACTIVATED)
            socket.flush()
        socket.disconnectFromServer()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
        self.lock.release()


def ask_running_instance(db_path: Path, *, timeout_ms: int = 1000) -> bool:
    """Ask the app that has ``db_path`` open to come to the front; True once it said so."""
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(server_name(db_path))
    try:
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(ACTIVATE)
        if not socket.waitForBytesWritten(timeout_ms):
            return False
        deadline = time.monotonic() + timeout_ms / 1000
        while not socket.canReadLine():
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0 or not socket.waitForReadyRead(left):
                return False
        return bytes(socket.readLine().data()) == ACTIVATED
    finally:
        socket.abort()


def claim(db_path: Path) -> SingleInstance | None:
    """Claim ``db_path`` for this app; None when another MentorDesk has it open and came to
    the front instead. Raises ``KnownError`` when it is held but nobody answers."""
    deadline = time.monotonic() + ASK_SECONDS
    while True:
        lock = try_app_lock(db_path)
        if lock is not None:
            return SingleInstance(db_path, lock)
        if ask_running_instance(db_path):
            return None
        if time.monotonic() >= deadline:
            raise KnownError(
                f"{resolved(db_path)} is in use by another MentorDesk (a window, or a "
                "restore from the command line).",
                hint="Switch to that window, or try again once the restore has finished.")
        time.sleep(0.1)
