"""deploy/ validated offline: the Dockerfile by hadolint, the compose file against the compose
specification (vendored in check-jsonschema), the Kubernetes manifests by kubernetes-validate
--strict (bundled schemas), and the settings, grace periods and metric names they rely on."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import venv_binary
from worker import GRACEFUL_SHUTDOWN

ROOT = Path(__file__).parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "compose" / "docker-compose.yml"
DASHBOARD = DEPLOY / "grafana" / "repairdesk.json"


def run(*command: str) -> None:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def manifests() -> list[Path]:
    return [K8S / name for name in load(K8S / "kustomization.yaml")["resources"]]


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, duration
    return int(match[1])


def test_dockerfile_passes_hadolint() -> None:
    run(venv_binary("hadolint"), "--failure-threshold", "info", "deploy/Dockerfile")


def test_image_holds_every_package_of_the_project() -> None:
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    copied = re.findall(r"^COPY (\w+) \./", (DEPLOY / "Dockerfile").read_text(), re.MULTILINE)
    assert sorted(copied) == sorted(p.rstrip("*") for p in packages["packages"]["find"]["include"])


def test_compose_file_follows_the_compose_specification() -> None:
    run(venv_binary("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE))


def test_kubernetes_manifests_validate_strictly() -> None:
    listed = {path.name for path in manifests()}
    present = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present, "every manifest is in kustomization.yaml and exists"
    run(venv_binary("kubernetes-validate"), "--strict", *map(str, manifests()))


def test_workers_get_more_time_to_stop_than_their_graceful_shutdown() -> None:
    grace = GRACEFUL_SHUTDOWN.total_seconds()
    worker = load(K8S / "worker-deployment.yaml")["spec"]["template"]["spec"]
    assert worker["terminationGracePeriodSeconds"] > grace
    compose_worker = load(COMPOSE)["services"]["repairdesk-worker"]
    assert seconds(compose_worker["stop_grace_period"]) > grace


def known_settings() -> set[str]:
    source = (ROOT / "activities" / "settings.py").read_text()
    return set(re.findall(r'"(REPAIRDESK_[A-Z_]+)"', source))


@pytest.mark.parametrize(
    "path", [COMPOSE, K8S / "configmap.yaml", K8S / "secret.yaml", K8S / "worker-deployment.yaml"]
)
def test_deploy_files_set_only_settings_repairdesk_reads(path: Path) -> None:
    named = set(re.findall(r"\b(REPAIRDESK_[A-Z_]+)\b", path.read_text()))
    assert named and named <= known_settings(), named - known_settings()


def test_helm_values_put_both_temporal_stores_on_postgresql() -> None:
    values = load(DEPLOY / "helm" / "temporal-values.postgresql.yaml")
    stores = values["server"]["config"]["persistence"]
    assert {stores[s]["sql"]["driver"] for s in ("default", "visibility")} == {"postgres12"}
    assert not any(values[name]["enabled"] for name in ("cassandra", "mysql", "elasticsearch"))
    codec = {e["name"]: e["value"] for e in values["web"]["additionalEnv"]}
    assert codec["TEMPORAL_CODEC_ENDPOINT"].endswith("/codec")


def dashboard_metrics() -> set[str]:
    exprs = [
        t["expr"] for p in json.loads(DASHBOARD.read_text())["panels"] for t in p.get("targets", [])
    ]
    return set(re.findall(r"\b((?:repairdesk|temporal)_[a-z_]+)\b", " ".join(exprs)))


def test_dashboard_queries_the_metrics_repairdesk_defines() -> None:
    ours = {name for name in dashboard_metrics() if name.startswith("repairdesk_")}
    source = (ROOT / "workflows" / "case_metrics.py").read_text()
    source += (ROOT / "activities" / "worker_metrics.py").read_text()
    defined = set(re.findall(r'"(repairdesk_[a-z_]+)"', source))
    exported = {re.sub(r"_(total|seconds_bucket)$", "", name) for name in ours}
    assert exported <= defined, exported - defined
    assert {"repairdesk_notices_pending", "repairdesk_finance_events_undelivered"} <= ours


@pytest.mark.parametrize("script", sorted((DEPLOY / "compose" / "scripts").glob("*.sh")))
def test_compose_scripts_are_valid_sh(script: Path) -> None:
    run("sh", "-n", str(script))
