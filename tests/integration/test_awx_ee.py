"""The AWX path's packaging: the execution environment definition, the collection's EE metadata, the project sync.

``ansible-builder create`` turns execution-environment.yml into a build context (the image build needs podman and
is not run here); ``ansible-builder introspect`` reads meta/execution-environment.yml from the installed collection as
the image build does; ``ansible-galaxy collection install -r collections/requirements.yml`` is what an AWX project
sync runs in the project directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from .conftest import REPO_ROOT

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
TIMEOUT = 300
TARBALL = "exchange_um-certificates.tar.gz"


def _run(*command: str, cwd: Path = REPO_ROOT) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, timeout=TIMEOUT)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def _name(requirement: str) -> str:
    """``pywinrm[credssp]>=0.4.3`` -> ``pywinrm``."""
    for stop in "[<>=!~ ;":
        requirement = requirement.split(stop, 1)[0]
    return requirement.lower()


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("ee-build")
    _run(str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(output))
    [built] = output.glob("exchange_um-certificates-*.tar.gz")
    return built


def _galaxy_version() -> str:
    return str(yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text(encoding="utf-8"))["version"])


def test_ansible_builder_creates_the_build_context(tarball: Path, tmp_path: Path) -> None:
    # execution-environment.yml takes the tarball from .build/ee-files/ beside it, as `make ee` leaves it.
    shutil.copy(REPO_ROOT / "execution-environment.yml", tmp_path / "execution-environment.yml")
    (tmp_path / ".build" / "ee-files").mkdir(parents=True)
    shutil.copy(tarball, tmp_path / ".build" / "ee-files" / TARBALL)
    context = tmp_path / "context"
    _run(
        str(BIN / "ansible-builder"),
        "create",
        "--file",
        str(tmp_path / "execution-environment.yml"),
        "--context",
        str(context),
        "--output-filename",
        "Containerfile",
    )
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    assert 'ARG EE_BASE_IMAGE="quay.io/ansible/awx-ee:latest"' in containerfile
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile
    assert "introspect.py introspect" in containerfile
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text(encoding="utf-8"))
    [entry] = requirements["collections"]
    assert entry == {"name": f"collections/{TARBALL}", "type": "file"}
    # The galaxy stage runs in /build, where _build/ is copied: the entry's path names the copied tarball.
    copied = context / "_build" / entry["name"]
    with tarfile.open(copied) as archive:
        member = archive.extractfile("MANIFEST.json")
        assert member is not None
        info = json.load(member)["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == ("exchange_um", "certificates", _galaxy_version())


def test_the_image_build_finds_the_collection_s_dependencies(tarball: Path, tmp_path: Path) -> None:
    collections = tmp_path / "collections"
    # --force: the test session's ANSIBLE_COLLECTIONS_PATH already holds the checkout (tests/conftest.py).
    _run(str(BIN / "ansible-galaxy"), "collection", "install", "--force", "-p", str(collections), str(tarball))
    found = yaml.safe_load(_run(str(BIN / "ansible-builder"), "introspect", "--sanitize", str(collections)))
    origin = "  # from collection exchange_um.certificates"
    python = [line.removesuffix(origin) for line in found["python"]]
    system = [line.removesuffix(origin) for line in found["system"]]
    assert python == _requirement_lines(REPO_ROOT / "meta" / "ee-requirements.txt")
    assert system == _requirement_lines(REPO_ROOT / "meta" / "ee-bindep.txt")
    # Everything a controller outside a container installs is in the image too, Kerberos and CredSSP included.
    names = {_name(line) for line in python}
    assert {_name(line) for line in _requirement_lines(REPO_ROOT / "requirements.txt")} <= names
    assert {"requests-kerberos", "pyspnego", "pywinrm", "pypsrp"} <= names
    assert "pywinrm[credssp,kerberos]>=0.4.3" in python and "pyspnego[kerberos]>=0.9" in python
    assert "krb5-devel [platform:rpm compile]" in system


def test_a_project_sync_installs_this_checkout_as_the_collection(tmp_path: Path) -> None:
    collections = tmp_path / "collections"
    _run(
        str(BIN / "ansible-galaxy"),
        "collection",
        "install",
        "--force",
        "-r",
        "collections/requirements.yml",
        "-p",
        str(collections),
    )
    installed = collections / "ansible_collections" / "exchange_um" / "certificates"
    info = json.loads((installed / "MANIFEST.json").read_text(encoding="utf-8"))["collection_info"]
    assert info["version"] == _galaxy_version()
    for name in ("playbooks/site.yml", "plugins/modules/root_trust.py", "meta/execution-environment.yml"):
        assert (installed / name).is_file(), name
