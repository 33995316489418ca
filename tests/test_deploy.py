"""The Dockerfile and compose.yaml run commands that work, the ones the README's "For a team" shows.

Docker is not on these machines: the test reads the commands out of both files and runs them here
(on free ports, on 127.0.0.1), with compose's environment, then runs their health checks.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]


def dockerfile_instruction(name: str) -> list[str]:
    """The JSON-array argument of the Dockerfile's `name` instruction (HEALTHCHECK: the part after CMD)."""
    line = next(line for line in (REPO / "Dockerfile").read_text().splitlines() if line.startswith(name + " "))
    return json.loads(line[line.index("["):])


def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text())


def readme_team_section() -> str:
    return (REPO / "README.md").read_text().split("## For a team", 1)[1].split("\n## ", 1)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def localised(words: list[str], ports: dict[str, int]) -> list[str]:
    """The command on this machine: 127.0.0.1 instead of every interface, free ports instead of the fixed ones."""
    out = []
    for word in words:
        word = word.replace("0.0.0.0", "127.0.0.1")
        for fixed, port in ports.items():
            word = re.sub(rf"(?<![0-9]){fixed}(?![0-9])", str(port), word)
        out.append(word)
    return [sys.executable if w == "python" else w for w in out]


def environment(service: str, values: dict[str, str]) -> dict[str, str]:
    """The service's compose environment, `${VAR...}` replaced from `values`."""
    env = compose()["services"][service].get("environment", {})
    return {k: re.sub(r"\$\{(\w+)[^}]*\}", lambda m: values[m.group(1)], str(v)) for k, v in env.items()}


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen in {timeout:.0f} s")


def test_the_readme_shows_the_commands_the_files_run():
    team = readme_team_section()
    services = compose()["services"]
    assert " ".join(services["api"]["command"]) in team
    assert " ".join(dockerfile_instruction("CMD")) in team
    assert "dashboard" in services and services["dashboard"]["build"] == "." and "command" not in services["dashboard"]
    assert "db" in services
    for service in ("api", "dashboard"):  # published on loopback only: a proxy in front decides who gets in
        assert all(port.startswith("127.0.0.1:") for port in services[service]["ports"])


def test_the_dockerfile_runs_as_a_non_root_user_from_a_slim_python():
    text = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M)
    assert re.search(r"^USER (?!root)\w+$", text, re.M)
    assert "/_stcore/health" in " ".join(dockerfile_instruction("HEALTHCHECK"))


def test_the_api_and_dashboard_commands_start_and_pass_their_health_checks(postgres, tmp_path):
    api_port, dashboard_port = free_port(), free_port()
    ports = {"8000": api_port, "8501": dashboard_port}
    values = {"POSTGRES_PASSWORD": "unused", "RELEVANCE_API_KEY": "team-key"}
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RELEVANCE_", "CENTROID_EXPLORER_"))}
    base["CENTROID_EXPLORER_DATA"] = str(tmp_path)
    api_env = base | environment("api", values)
    api_env["CENTROID_EXPLORER_DATABASE_URL"] = postgres.database()  # compose's `db`, here the throwaway cluster
    services = compose()["services"]
    api = subprocess.Popen(localised(services["api"]["command"], ports), cwd=REPO, env=api_env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dashboard = None
    try:
        api_check = localised(services["api"]["healthcheck"]["test"][1:], ports)
        wait_until(lambda: subprocess.run(api_check, capture_output=True).returncode == 0, 60, "the API's health check")
        r = httpx.get(f"http://127.0.0.1:{api_port}/datasets/list", headers={"Authorization": "team:team-key"})
        assert r.status_code == 200, r.text

        dashboard_env = base | environment("dashboard", values)
        dashboard_env["RELEVANCE_BASE_URL"] = f"http://127.0.0.1:{api_port}"  # compose's `api` service
        dashboard = subprocess.Popen(localised(dockerfile_instruction("CMD"), ports), cwd=REPO, env=dashboard_env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        check = localised(dockerfile_instruction("HEALTHCHECK"), ports)
        wait_until(lambda: subprocess.run(check, capture_output=True).returncode == 0, 120,
                   "the dashboard's health check")
    finally:
        for process in (dashboard, api):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
