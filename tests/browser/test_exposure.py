"""What the dashboard, started as `make run` starts it, exposes: this machine only, to pages of its own.

It serves the embedded server's data, metadata editing and upload without a key, so by default it
listens on 127.0.0.1 only, opens sessions only for browsers that call it localhost / 127.0.0.1 (a
page that points its own name at 127.0.0.1, DNS rebinding, gets no session), and refuses uploads
without the session's XSRF token. (`make run ADDRESS=0.0.0.0` opens it on purpose: see the README.)
"""

from __future__ import annotations

import base64
import ipaddress
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port`, from the kernel's tables (Linux)."""
    addresses = set()
    for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                # Each 32-bit word is in the host's byte order (little-endian here).
                raw = b"".join(bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, len(address), 8))
                addresses.add(str(ipaddress.ip_address(raw[:width])))
    return addresses


def _session_status(port: int, host: str) -> int:
    """Status of a WebSocket upgrade to the app's session endpoint, sent with this Host (as a browser would)."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request.encode())
        return int(connection.recv(4096).split(b"\r\n", 1)[0].split()[1])


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket tables")
def test_the_dashboard_listens_on_this_machine_only(app_url):
    port = urlsplit(app_url).port
    assert _listening_addresses(port) == {"127.0.0.1"}

    # (Nothing here connects to the machine's other addresses: tests send traffic to loopback only.)
    assert httpx.get(f"{app_url}/_stcore/health", timeout=30).status_code == 200


def test_a_page_that_calls_the_dashboard_by_another_name_gets_no_session(app_url):
    port = urlsplit(app_url).port
    assert _session_status(port, f"127.0.0.1:{port}") == 101
    assert _session_status(port, f"localhost:{port}") == 101
    assert _session_status(port, f"attacker.example:{port}") == 403


def test_an_upload_without_the_sessions_xsrf_token_is_refused(app_url):
    answer = httpx.put(f"{app_url}/_stcore/upload_file/some-session/some-file", files={"file": ("c.csv", b"_id,v0\na,1\n")})
    assert answer.status_code == 403
