"""The production images: docker-compose.yml and the Dockerfile serve real data and never load the invented
sample corpus (`casusgraaf demo`). Parsed, not run: no Docker engine is needed."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from casusgraaf.config import Settings, get_settings

REPO = Path(__file__).resolve().parent.parent
COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
SETTING_NAMES = {f"CASUSGRAAF_{name.upper()}" for name in Settings.model_fields}


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    out: list[tuple[str, str]] = []
    buffer = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        buffer += line[:-1] + " " if line.endswith("\\") else line
        if line.endswith("\\"):
            continue
        word, _, rest = buffer.partition(" ")
        out.append((word.upper(), rest.strip()))
        buffer = ""
    return out


def words(command: str | list | None) -> list[str]:
    """A CMD/ENTRYPOINT/command in exec (JSON list) or shell form, as words."""
    if command is None:
        return []
    if isinstance(command, list):
        return [str(w) for w in command]
    text = command.strip()
    if text.startswith("["):
        return [str(w) for w in json.loads(text)]
    return shlex.split(text)


def runs_demo(argv: list[str]) -> bool:
    return "demo" in argv or any(re.search(r"\bcasusgraaf\s+demo\b", w) for w in argv)


def compose_services(path: Path = COMPOSE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["services"]


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_no_compose_service_runs_demo():
    services = compose_services()
    assert services, "docker-compose.yml has no services"
    for name, service in services.items():
        for key in ("command", "entrypoint"):
            assert not runs_demo(words(service.get(key))), f"service {name} {key} runs demo"
        for hook in (service.get("healthcheck") or {}).get("test") or []:
            assert "casusgraaf demo" not in str(hook)


def test_compose_casusgraaf_serves_on_neo4j_without_the_sample():
    service = compose_services()["casusgraaf"]
    argv = words(service["command"])
    assert argv[:2] == ["casusgraaf", "serve"]
    env = env_of(service)
    assert set(k for k in env if k.startswith("CASUSGRAAF_")) <= SETTING_NAMES  # a typo is no silent default
    assert "CASUSGRAAF_SAMPLE_DIR" not in env
    get_settings(graph_uri=env["CASUSGRAAF_GRAPH_URI"])  # the scheme is one Settings accepts
    for volume in service.get("volumes") or []:
        assert "sample" not in str(volume) and "tests/data" not in str(volume)
    for name, svc in compose_services().items():
        for port in svc.get("ports") or []:
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"


def test_dockerfile_builds_the_model_and_serves():
    instructions = dockerfile_instructions()
    for word, args in instructions:
        if word in ("CMD", "ENTRYPOINT"):
            assert not runs_demo(words(args)), f"{word} {args} runs demo"
        if word == "RUN":
            assert not re.search(r"\bcasusgraaf\s+(demo|ingest)\b", args), f"RUN {args} loads cases into the image"
        if word in ("COPY", "ADD"):  # the package and its metadata only: no corpus, no test data
            sources = [w for w in shlex.split(args) if not w.startswith("--")][:-1]
            assert set(sources) <= {"pyproject.toml", "README.md", "casusgraaf"}, f"{word} {args}"
    cmds = [args for word, args in instructions if word == "CMD"]
    assert cmds and words(cmds[-1])[:2] == ["casusgraaf", "serve"]
    runs = " && ".join(args for word, args in instructions if word == "RUN")
    assert "casusgraaf setup" in runs  # the model is built at image build time: no hub at run time
    env = {}
    for word, args in instructions:
        if word == "ENV":
            env.update(dict(pair.split("=", 1) for pair in shlex.split(args)))
    assert {k for k in env if k.startswith("CASUSGRAAF_")} <= SETTING_NAMES
    # the model lands in CASUSGRAAF_CACHE_DIR as root; the user that serves must own it, and the data dir
    assert re.search(rf"chown\s+-R\s+\S+\s+.*{re.escape(env['CASUSGRAAF_DATA_DIR'])}\b", runs)
    assert re.search(rf"chown\s+-R\s+\S+\s+.*{re.escape(env['CASUSGRAAF_CACHE_DIR'])}\b", runs)
    users = [args for word, args in instructions if word == "USER"]
    assert users and users[-1] not in ("root", "0")


@pytest.mark.parametrize("argv", [["casusgraaf", "demo"], ["sh", "-c", "casusgraaf demo --host 0.0.0.0"]])
def test_runs_demo_detects_both_forms(argv):
    assert runs_demo(argv)
    assert not runs_demo(["casusgraaf", "serve", "--host", "0.0.0.0"])


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_healthchecks_both_services_and_casusgraaf_asks_api_health():
    services = compose_services()
    assert set(services) == {"neo4j", "casusgraaf"}
    for name, svc in services.items():
        check = svc.get("healthcheck") or {}
        assert check.get("test") and check.get("interval") and check.get("retries"), f"{name} has no healthcheck"
    assert "/api/health" in " ".join(services["casusgraaf"]["healthcheck"]["test"])
    assert services["casusgraaf"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    # the image has no curl: the check must run with what it has
    assert services["casusgraaf"]["healthcheck"]["test"][:2] == ["CMD", "python"]


def test_compose_passwords_come_from_secret_files_only():
    compose = _compose()
    declared = compose.get("secrets") or {}
    assert declared and all(set(spec) == {"file"} for spec in declared.values())
    for name, svc in compose["services"].items():
        env = env_of(svc)
        used = set(svc.get("secrets") or [])
        assert used <= set(declared), f"{name} uses an undeclared secret"
        for key, value in env.items():
            if re.search(r"PASSWORD|WACHTWOORD|NEO4J_AUTH", key):
                assert key.endswith("_FILE"), f"{name}: {key} holds a secret inline; use a *_FILE secret"
                assert value.startswith("/run/secrets/") and value.split("/")[-1] in used, f"{name}: {key}"
    cg = env_of(compose["services"]["casusgraaf"])
    # serve on 0.0.0.0 needs an account: the first beheerder comes from a secret (casusgraaf/cli/gebruiker.py)
    assert cg["CASUSGRAAF_BEHEERDER_WACHTWOORD_FILE"].startswith("/run/secrets/")
    assert cg["CASUSGRAAF_GRAPH_PASSWORD_FILE"].startswith("/run/secrets/")
    get_settings(graph_uri=cg["CASUSGRAAF_GRAPH_URI"], graph_password_file=cg["CASUSGRAAF_GRAPH_PASSWORD_FILE"],
                 beheerder_wachtwoord_file=cg["CASUSGRAAF_BEHEERDER_WACHTWOORD_FILE"])
    assert "secrets/" in (REPO / ".dockerignore").read_text() and "secrets/" in (REPO / ".gitignore").read_text()


def test_compose_data_lives_in_named_volumes():
    compose = _compose()
    named = set(compose.get("volumes") or {})
    for name, svc in compose["services"].items():
        for volume in svc.get("volumes") or []:
            source, _, target = str(volume).partition(":")
            assert source in named, f"{name}: {volume} is a bind mount or an undeclared volume"
            assert target.startswith("/")
    assert {"/data"} <= {str(v).split(":")[1] for v in compose["services"]["casusgraaf"]["volumes"]}


def test_dockerfile_runs_as_a_numeric_user_with_a_healthcheck():
    instructions = dockerfile_instructions()
    users = [args for word, args in instructions if word == "USER"]
    assert re.fullmatch(r"\d+(:\d+)?", users[-1]), "USER must be numeric (hadolint DL3066; runAsNonRoot)"
    checks = [args for word, args in instructions if word == "HEALTHCHECK"]
    assert checks and "/api/health" in checks[-1]
