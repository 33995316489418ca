"""Where the server's project and API key come from, that the key is never logged, and that the data
folder (database and key file) is readable by its owner only."""

from __future__ import annotations

import json
import logging
import os
import stat

import httpx

from centroid_explorer import config
from centroid_explorer.server.credentials import CREDENTIALS_FILENAME, resolve
from centroid_explorer.server.runner import EmbeddedServer
from centroid_explorer.server.store import SQLiteStore


def test_arguments_win_over_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RELEVANCE_PROJECT", "env-project")
    monkeypatch.setenv("RELEVANCE_API_KEY", "env-key")
    creds = resolve(tmp_path, "arg-project", "arg-key")
    assert (creds.project, creds.api_key) == ("arg-project", "arg-key")
    creds = resolve(tmp_path)
    assert (creds.project, creds.api_key, creds.key_file) == ("env-project", "env-key", None)
    assert not (tmp_path / CREDENTIALS_FILENAME).exists()


def test_generated_key_file_is_private_and_reused(tmp_path, monkeypatch, caplog):
    monkeypatch.delenv("RELEVANCE_PROJECT", raising=False)
    monkeypatch.delenv("RELEVANCE_API_KEY", raising=False)
    with caplog.at_level(logging.DEBUG):
        creds = resolve(tmp_path)
    path = tmp_path / CREDENTIALS_FILENAME
    assert creds.key_file == path and len(creds.api_key) >= 24
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"project": "local", "api_key": creds.api_key}
    assert str(path) in caplog.text and creds.api_key not in caplog.text
    assert creds.api_key not in repr(creds)
    again = resolve(tmp_path, project="named")
    assert (again.project, again.api_key) == ("named", creds.api_key)


def test_header_must_match_exactly(tmp_path):
    creds = resolve(tmp_path, "p", "k")
    assert creds.matches("p:k")
    assert not any(creds.matches(h) for h in (None, "", "p:", "p:k2", "P:k", ":k", "p:k:"))


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_folder_and_database_are_private(tmp_path):
    data = tmp_path / "new-folder"
    with EmbeddedServer(data, project="p", api_key="k") as server:
        httpx.post(f"{server.base_url}/datasets/create", json={"id": "x"}, headers={"Authorization": "p:k"})
        files = sorted(p.name for p in data.iterdir())
        assert _mode(data) == 0o700
        assert {name: _mode(data / name) for name in files if name.startswith("centroids")} == {
            name: 0o600 for name in ("centroids.sqlite3", "centroids.sqlite3-shm", "centroids.sqlite3-wal")
        }


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    SQLiteStore(tmp_path).close()
    database = tmp_path / "centroids.sqlite3"
    os.chmod(database, 0o644)
    SQLiteStore(tmp_path).close()
    assert _mode(database) == 0o600


def test_the_default_data_folder_is_made_private_even_if_it_exists(tmp_path, monkeypatch):
    monkeypatch.delenv(config.ENV_DATA_DIR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    (tmp_path / "centroid-explorer").mkdir(mode=0o755)
    os.chmod(tmp_path / "centroid-explorer", 0o755)  # as an older version left it
    assert config.data_dir() == tmp_path / "centroid-explorer"
    assert _mode(tmp_path / "centroid-explorer") == 0o700
    assert _mode(config.data_dir(tmp_path / "chosen")) == 0o700  # a folder it creates
