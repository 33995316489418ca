"""The project name and API key clients must send, and where they came from.

Resolution, per value: explicit argument > $RELEVANCE_PROJECT / $RELEVANCE_API_KEY > the file
`<data_dir>/credentials.json`, which is created (mode 0600) with a random key on first start.
The key is never logged: logs name the file it is in.

Besides that key, each person may have a key of their own (`keys create`), kept in the store as
its SHA-256 only. A slow hash (scrypt, PBKDF2) protects guessable passwords; these keys are 256
random bits, which no one can guess from their hash, and a fast hash keeps every request cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..config import ENV_API_KEY, ENV_PROJECT, connection_settings

CREDENTIALS_FILENAME = "credentials.json"
DEFAULT_PROJECT = "local"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credentials:
    project: str
    api_key: str = field(repr=False)
    key_file: Path | None = None  # set when the key lives in the generated file

    def matches(self, authorization: str | None) -> bool:
        """Whether an `Authorization: <project>:<api_key>` header value is ours (constant-time compare)."""
        expected = f"{self.project}:{self.api_key}".encode()
        return hmac.compare_digest((authorization or "").encode(), expected)


def new_key() -> str:
    """A new person's key: 256 random bits, URL-safe (no `:`, which ends the project in the header)."""
    return secrets.token_urlsafe(32)


def key_hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def split_header(authorization: str) -> tuple[str, str]:
    """`<project>:<api_key>` -> (project, key); the key is after the last `:` (keys have none)."""
    project, _, key = authorization.rpartition(":")
    return project, key


def _read_file(path: Path) -> dict[str, str]:
    try:
        stored = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise RuntimeError(f"cannot read the credentials file {path}: {e}") from None
    return stored if isinstance(stored, dict) else {}


def _write_file(path: Path, stored: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(stored, f)
    os.chmod(path, 0o600)


def resolve(data_dir: str | Path, project: str | None = None, api_key: str | None = None) -> Credentials:
    env = connection_settings()
    project = project or env.get(ENV_PROJECT)
    api_key = api_key or env.get(ENV_API_KEY)
    if project and api_key:
        return Credentials(project, api_key)
    path = Path(data_dir) / CREDENTIALS_FILENAME
    stored = _read_file(path)
    if not stored.get("project") or not stored.get("api_key"):
        stored = {"project": stored.get("project") or project or DEFAULT_PROJECT,
                  "api_key": stored.get("api_key") or secrets.token_urlsafe(24)}
        _write_file(path, stored)
        log.info("generated an API key for the embedded server; it is in %s", path)
    return Credentials(project or stored["project"], api_key or stored["api_key"], None if api_key else path)
