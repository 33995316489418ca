"""Connection failures caused for real: a port nobody listens on, a name DNS cannot resolve,
and a server that accepts the connection but never answers."""

from __future__ import annotations

import socket
import threading

import pytest

from centroid_explorer.client import APIConnectionError, APITimeoutError, Client


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_nothing_listening_is_told_apart(sleeps, api_key):
    port = _unused_port()
    with Client(f"http://127.0.0.1:{port}", "p", api_key, max_retries=1) as client:
        with pytest.raises(APIConnectionError) as caught:
            client.datasets.list()
    assert caught.value.reason == APIConnectionError.REFUSED
    assert f"Nothing is listening at '127.0.0.1:{port}'" in caught.value.message
    assert len(sleeps) == 1  # retried once: the server may have been restarting


def test_unknown_host_is_told_apart(sleeps, api_key):
    # .invalid never resolves (RFC 2606), online or offline.
    with Client("http://centroid-explorer.invalid", "p", api_key, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as caught:
            client.datasets.list()
    assert caught.value.reason == APIConnectionError.HOST_NOT_FOUND
    assert "Cannot resolve host 'centroid-explorer.invalid'" in caught.value.message


@pytest.fixture
def silent_server():
    """A socket that accepts connections and never writes a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_server_that_never_answers_times_out(silent_server, api_key):
    with Client(silent_server, "p", api_key, timeout=0.3, max_retries=3) as client:
        with pytest.raises(APITimeoutError) as caught:
            client.centroids.list("ds", "t_vector_")
    assert caught.value.phase == "read"
    host = silent_server.removeprefix("http://")
    assert caught.value.message == f"No answer from {host!r} within 0.3 s (GET /services/cluster/centroids/list)."
