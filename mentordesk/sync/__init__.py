"""Google Calendar sync: plain Python, no Qt; googleapiclient is imported only while syncing.

- ``engine.SyncEngine``: one two-way sync (pull, then drain the outbox); ``resolve_conflict``.
- ``service``: settings, ``build_engine`` from the stored settings and keyring, ``overview``.
- ``credentials``: keyring storage, the client secrets file, the OAuth installed-app flow.
- ``status.session_sync_status``: per-session state for the notes view.
- ``cli.run_sync``: ``mentordesk sync``.
"""
