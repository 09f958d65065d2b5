"""`cdp receive`: a small HTTP server that takes Zalo OA's and Messenger's webhook events as they
happen and appends them, one JSON line each, to the chat source's export folders
(`<exports_dir>/chat/zalo/`, `<exports_dir>/chat/messenger/`), where the nightly load reads them.

It runs on its own (a systemd unit, or a terminal), not inside Dagster, and imports nothing
heavy: the standard library and the settings tree. One concept per module: `signatures` (is a
request the vendor's?), `spool` (durable, rotated files: an event is acknowledged only once it is
on disk, and a file appears under its final name only when complete), `server` (the HTTP
endpoints, back-pressure and shutdown). docs/receiver.md is the operator's guide.
"""
