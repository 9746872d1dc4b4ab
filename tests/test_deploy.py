"""deploy/: the systemd unit and the container recipe name real commands and options, and the
container's start script really installs the model from a file and serves.

The image itself is not built here (no container registry); its start script and its install
commands are what these tests run."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.cli import commands
from bot.cli.main import build_parser
from bot.core import stateurl
from tests.conftest import ROOT, argos_env, run_cli
from tests.support.serving import get, started, wait_for

DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "kakehashi.service"
ENTRYPOINT = DEPLOY / "entrypoint.sh"


def unit_settings() -> dict[str, list[str]]:
    """Every `Key=value` of the unit (a key may repeat), comments left out."""
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", ";", "[")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_unit_runs_the_worker_with_the_server():
    argv = shlex.split(unit_settings()["ExecStart"][0])
    assert argv[0].endswith("/bin/kakehashi")
    args = build_parser().parse_args(argv[1:])
    assert args.handler is commands.run and args.serve and args.port == 8080
    help_text = run_cli("run", "--help").stdout
    for option in (a for a in argv[1:] if a.startswith("--")):
        assert option in help_text, option


def test_unit_secrets_restart_and_hardening():
    settings = unit_settings()
    text = UNIT.read_text(encoding="utf-8")
    assert settings["EnvironmentFile"] == ["/etc/kakehashi/env"]
    assert "TELEGRAM_BOT_TOKEN=" in text and "TELEGRAM_CHAT_ID=" in text
    assert not any("TOKEN" in value for value in settings.get("Environment", []))
    assert settings["Restart"] == ["on-failure"] and settings["KillSignal"] == ["SIGTERM"]
    assert settings["NoNewPrivileges"] == ["yes"] and settings["ProtectSystem"] == ["strict"]
    # Under ProtectSystem=strict, only out/ (outputs, state file, lock) and the model's
    # folder are writable; the watched folder stays read-only to the service.
    work = settings["WorkingDirectory"][0]
    assert settings["ReadWritePaths"] == [f"{work}/out"]
    state = f"/var/lib/{settings['StateDirectory'][0]}"
    environment = " ".join(settings["Environment"])
    for name in ("ARGOS_PACKAGES_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        assert re.search(rf"\b{name}={state}(/|\s|$)", environment), name


def test_unit_waits_for_ready_and_watches_the_pings():
    # bot/service/sdnotify.py sends READY=1 and WATCHDOG=1 (tests/test_sdnotify.py): the unit
    # relies on both, and restarts a worker whose pings stop.
    settings = unit_settings()
    assert settings["Type"] == ["notify"] and settings["WatchdogSec"] == ["60"]
    assert settings["Restart"] == ["on-failure"]  # a watchdog timeout counts as a failure
    assert "127.0.0.1:8080/healthz" in UNIT.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed (apt-get install systemd)")
def test_systemd_accepts_the_unit(tmp_path: Path):
    # verify checks that ExecStart's program exists: point it at this checkout's command.
    command = Path(sys.executable).with_name("kakehashi")
    unit = tmp_path / "kakehashi.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace(
        "/opt/kakehashi/.venv/bin/kakehashi", str(command)), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                            text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def shell_words(line: str) -> list[str]:
    """A command line of the start script, its variables given their defaults or a sample."""
    line = re.sub(r'"\$\{\w+:-([^}]*)\}"', r"\1", line)  # "${X:-default}" → default
    return shlex.split(line.replace('"$@"', "").replace('"$model_file"', "model.argosmodel"))


def test_container_recipe_names_real_commands():
    recipe = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    assert re.findall(r"^FROM .*", recipe, re.MULTILINE) == ["FROM python:3.11-slim"]
    assert "uv sync --locked --no-dev" in recipe
    assert "COPY deploy/entrypoint.sh ./deploy/entrypoint.sh" in recipe
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in recipe
    assert "TELEGRAM_BOT_TOKEN" in recipe and "TELEGRAM_CHAT_ID" in recipe
    assert not re.search(r"^ENV[^#]*TELEGRAM", recipe, re.MULTILINE)  # never baked in
    script = ENTRYPOINT.read_text(encoding="utf-8").replace("\\\n", " ")
    calls = re.findall(r"\bkakehashi ((?:run|models)[^|;\n]*)", script)
    assert [c.split()[:2] for c in calls] == [["models", "list"], ["models", "install"],
                                              ["run", "--serve"]]
    for call in calls:
        args = build_parser().parse_args(shell_words(call))
        assert args.handler in (commands.models_list, commands.models_install, commands.run)


def entrypoint_setup(tmp_path: Path, model_file: Path) -> tuple[Path, dict[str, str]]:
    """A fresh /data (one document) and model folder for the container's start script, to
    serve on a free port: the commands the image runs, on this checkout's installation."""
    data = tmp_path / "data"
    (data / "seeds").mkdir(parents=True)
    shutil.copy(ROOT / "seeds" / "04_report.md", data / "seeds")
    return data, {**os.environ, **argos_env(tmp_path / "home"),
                  "KAKEHASHI_MODEL_FILE": str(model_file), "KAKEHASHI_HOST": "127.0.0.1",
                  "KAKEHASHI_PORT": "0",
                  "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def start_entrypoint(tmp_path: Path, model_file: Path) -> AbstractContextManager[
        tuple[subprocess.Popen[str], str]]:
    data, env = entrypoint_setup(tmp_path, model_file)
    return started([str(ENTRYPOINT)], cwd=data, env=env)


@pytest.mark.slow
def test_container_start_installs_the_model_from_the_file_and_serves(
        tmp_path: Path, tiny_package: Path):
    with start_entrypoint(tmp_path, tiny_package) as (process, url):
        wait_for(url + "digests/1.html")
        status, body, headers = get(url + "feed.xml")
        assert status == 200 and b"<rss" in body
        assert headers["Content-Type"] == "application/rss+xml; charset=utf-8"
        check = run_healthcheck(url)
        assert check.returncode == 0 and check.stdout.startswith("ok: "), check
        process.send_signal(signal.SIGTERM)  # exec: the worker itself gets it
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "installed translate-ja_en" in stdout
    assert (tmp_path / "home" / "packages" / "translate-ja_en-1_1").is_dir()
    assert "digest #1 published" in stderr and "Traceback" not in stderr


def run_healthcheck(url: str) -> subprocess.CompletedProcess[str]:
    """The Containerfile's HEALTHCHECK command, as the runtime runs it, against URL's port."""
    recipe = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    found = re.search(r"^HEALTHCHECK .*? CMD (\[.*\])$", recipe, re.MULTILINE)
    assert found is not None
    argv = json.loads(found.group(1))
    assert argv[0] == "python"
    port = url.rsplit(":", 1)[1].strip("/")
    return subprocess.run([sys.executable, *argv[1:]], capture_output=True, text=True,
                          env={**os.environ, "KAKEHASHI_PORT": port}, timeout=30)


def test_container_start_without_model_file_says_where_to_mount_it(tmp_path: Path):
    absent = tmp_path / "absent.argosmodel"
    data, env = entrypoint_setup(tmp_path, absent)
    result = subprocess.run([str(ENTRYPOINT)], cwd=data, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"kakehashi: no ja→en model installed and no file at {absent}: mount the folder "
        "holding translate-ja_en-1_1.argosmodel at /models"]
    assert not (data / "out").exists()


COMPOSE = DEPLOY / "compose.yaml"
SECRETS = ("PGPASSWORD", "POSTGRES_PASSWORD", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID")


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def workers() -> dict[str, dict[str, Any]]:
    """The services that run the image built from deploy/Containerfile."""
    found = {name: service for name, service in compose()["services"].items()
             if "build" in service}
    assert len(found) >= 2, found
    return found


def entrypoint_run_words() -> list[str]:
    """`kakehashi run …` as the start script runs it, before the service's arguments."""
    script = ENTRYPOINT.read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.search(r'\bexec kakehashi (run .*"\$@")', script)
    assert found is not None
    return shell_words(found.group(1))


def test_compose_workers_run_the_real_command_on_a_postgresql_state():
    help_text = run_cli("run", "--help").stdout
    postgres = compose()["services"]["postgres"]["environment"]
    for name, service in workers().items():
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Containerfile"}
        assert (COMPOSE.parent / service["build"]["context"] / "deploy/Containerfile").is_file()
        argv = entrypoint_run_words() + service["command"]
        args = build_parser().parse_args(argv)
        assert args.handler is commands.run and args.serve, name
        for option in (a for a in argv if a.startswith("--")):  # whole, not abbreviated
            assert re.search(rf"{re.escape(option)}(?![\w-])", help_text), option
        assert stateurl.is_url(args.state) and stateurl.checked_url(args.state) == args.state
        url = urlsplit(args.state)
        assert url.scheme == "postgresql" and url.password is None
        assert (url.username, url.hostname, url.port) == (postgres["POSTGRES_USER"],
                                                         "postgres", 5432)
        assert url.path == "/" + postgres["POSTGRES_DB"]


def test_compose_secrets_come_from_env_files_kept_out_of_git():
    services = compose()["services"]
    for name, service in services.items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict)  # a list form would hide KEY=value pairs
        assert not set(environment) & set(SECRETS), name
        assert "db.env" in service["env_file"], name
    for service in workers().values():
        assert "kakehashi.env" in service["env_file"]
    assert "kakehashi.env" not in services["postgres"]["env_file"]  # no token in the database
    text = COMPOSE.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert not re.search(rf"^[^#]*\b{secret}\s*[:=]\s*\S", text, re.MULTILINE), secret
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/deploy/db.env" in ignored and "/deploy/kakehashi.env" in ignored


def test_compose_volumes_are_declared_and_shared_as_intended():
    declared = compose()["volumes"]
    services = compose()["services"]
    used: dict[str, list[str]] = {}
    for name, service in services.items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, (name, source)
                used.setdefault(source, []).append(name)
            else:  # a folder beside the project, read-only to the workers
                assert (COMPOSE.parent / source).is_dir() or source == "../models", source
                assert mount.endswith(":ro"), mount
    assert set(used) == set(declared)
    mounts = {name: {m.split(":")[1]: m.split(":")[0] for m in service["volumes"]}
              for name, service in workers().items()}
    # One OUT and one watched folder for all; a model volume each (first installs would race).
    assert len({m["/data/out"] for m in mounts.values()}) == 1
    assert len({m["/data/seeds"] for m in mounts.values()}) == 1
    models = [m["/data/models"] for m in mounts.values()]
    assert len(set(models)) == len(models)
    assert services["postgres"]["volumes"] == ["pgdata:/var/lib/postgresql"]


def test_compose_workers_wait_for_a_healthy_postgres_18_and_stop_gently():
    services = compose()["services"]
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:18"
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    check = postgres["healthcheck"]["test"]
    assert check[check.index("-U") + 1] == postgres["environment"]["POSTGRES_USER"]
    ports, hosts = [], []
    for name, service in workers().items():
        assert service["depends_on"] == {"postgres": {"condition": "service_healthy"}}, name
        assert seconds(service["stop_grace_period"]) >= 60, name
        hosts.append(service["hostname"])
        for port in service["ports"]:
            host_part, _, inside = port.rpartition(":")
            assert inside == "8080"  # the start script's KAKEHASHI_PORT default
            ports.append(host_part)
    assert len(set(ports)) == len(ports) and len(set(hosts)) == len(hosts)


def seconds(duration: str) -> float:
    """A Compose duration (`120s`, `2m`, `1m30s`) in seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * scale[u] for n, u in parts)


def compose_command() -> list[str] | None:
    """`docker compose` (v2), or else `docker-compose` (v1.27+ reads the Compose
    Specification too); None when neither is installed."""
    if shutil.which("docker") and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


@pytest.mark.skipif(compose_command() is None, reason="docker compose is not installed")
def test_compose_accepts_the_file(tmp_path: Path):
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    shutil.copy(COMPOSE, deploy)
    (deploy / "db.env").write_text("POSTGRES_PASSWORD=x\nPGPASSWORD=x\n", encoding="utf-8")
    (deploy / "kakehashi.env").write_text("", encoding="utf-8")
    result = subprocess.run([*(compose_command() or []), "-f", str(deploy / "compose.yaml"),
                             "config", "-q"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr


@pytest.mark.slow
def test_compose_workers_start_on_a_database_share_the_folder_and_out_and_publish_once(
        tmp_path: Path, tiny_package: Path, postgres_url: str):
    # Each worker's start as compose.yaml gives it: the start script, then the service's
    # command (the state URL, here with the database's real address). One watched folder and
    # one OUT for both, a model installation (home) each.
    services = workers()
    data, env = entrypoint_setup(tmp_path, tiny_package)
    second = {**env, **argos_env(tmp_path / "home2")}
    argv_one, argv_two = ([str(ENTRYPOINT), *services[name]["command"][:-1], postgres_url]
                          for name in ("worker1", "worker2"))
    with started(argv_one, cwd=data, env=env) as (one, url_one), \
            started(argv_two, cwd=data, env=second) as (two, url_two):
        wait_for(url_one + "digests/1.html")
        status = wait_for_status(postgres_url, data, "workers: 2 alive")
        assert get(url_two + "digests/1.html")[0] == 200  # the other serves the same OUT
        for process in (one, two):
            process.send_signal(signal.SIGTERM)
        ended = [process.communicate(timeout=60) for process in (one, two)]
    assert [process.returncode for process in (one, two)] == [0, 0], ended
    assert all("installed translate-ja_en" in stdout for stdout, _ in ended), ended
    errors = "".join(stderr for _, stderr in ended)
    assert "Traceback" not in errors
    assert errors.count("digest #1 published") == 1  # one publisher, the document once
    assert not (data / "out" / "state.sqlite3").exists()  # the state is in the database
    members = [line for line in status.splitlines() if re.match(r"  \S+ pid \d+ ", line)]
    assert len(members) == 2 and sum("publish" in line for line in members) == 1, status
    for process in (one, two):
        assert re.search(rf"^  \S+ pid {process.pid} \(run\b", status, re.MULTILINE), status


def wait_for_status(url: str, cwd: Path, expected: str, seconds: float = 60) -> str:
    """`status --state URL`'s output once it says EXPECTED (or the last one, failing)."""
    deadline = time.monotonic() + seconds
    while True:
        result = run_cli("status", "--state", url, cwd=cwd)
        if expected in result.stdout or time.monotonic() > deadline:
            assert expected in result.stdout, result.stdout + result.stderr
            return result.stdout
        time.sleep(0.5)
