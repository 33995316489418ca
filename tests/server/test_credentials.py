"""Where the server's project and API key come from, and that the key is never logged."""

from __future__ import annotations

import json
import logging
import stat

from centroid_explorer.server.credentials import CREDENTIALS_FILENAME, resolve


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
