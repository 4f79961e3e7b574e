"""The collection tarball holds the collection's own source files and nothing else (docs/security.md, "Packaging").

A lab is started in an unusual directory inside the checkout, where a shipped file type (a playbook's YAML) would
otherwise pick up its inventory, and beside it lie a venv-like directory and files named like keys: then
``ansible-galaxy collection build`` runs and the member list of the tarball is checked.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from .conftest import REPO_ROOT, Lab, _candidate_subnets, _winrm_addresses_free, start_lab, stop_lab

pytestmark = pytest.mark.integration

# What may ship, as galaxy.yml's manifest lists it: everything in the tarball matches one of these.
SHIPPED = (
    "README.md",
    "CHANGELOG.md",
    "COPYING",
    "bindep.txt",
    "requirements.txt",
    "meta/runtime.yml",
    "meta/execution-environment.yml",
    "meta/ee-requirements.txt",
    "meta/ee-bindep.txt",
    "changelogs/config.yaml",
    "changelogs/changelog.yaml",
    "docs/*.md",
    "docs/docsite/links.yml",
    "docs/awx/job_templates.yml",
    "docs/awx/credential_types.yml",
    "docs/awx/surveys/*.json",
    "playbooks/site.yml",
    "playbooks/verify.yml",
    "playbooks/renew.yml",
    "playbooks/exchange_servers.yml",
    "roles/*/README.md",
    "roles/*/meta/main.yml",
    "roles/*/meta/argument_specs.yml",
    "roles/*/defaults/main.yml",
    "roles/*/vars/main.yml",
    "roles/*/handlers/main.yml",
    "roles/*/tasks/*.yml",
    "plugins/action/*.py",
    "plugins/modules/*.py",
    "plugins/doc_fragments/*.py",
    "plugins/plugin_utils/*.py",
    "plugins/plugin_utils/host_scripts/*.ps1",
    "MANIFEST.json",
    "FILES.json",
)
# Files the collection cannot work without: a manifest that drops them is as wrong as one that packs a secret.
REQUIRED = (
    "meta/runtime.yml",
    "plugins/action/ca_certificate.py",
    "plugins/modules/root_trust.py",
    "plugins/doc_fragments/certsrv.py",
    "plugins/plugin_utils/_action.py",
    "plugins/plugin_utils/host_scripts/prelude.ps1",
    "docs/security.md",
    "README.md",
)


def _shipped(name: str) -> bool:
    """``fnmatch`` lets ``*`` cross ``/``; the manifest's does not, so compare part by part."""
    parts = name.split("/")
    return any(
        len(pattern.split("/")) == len(parts)
        and all(fnmatch.fnmatchcase(part, glob) for part, glob in zip(parts, pattern.split("/"), strict=True))
        for pattern in SHIPPED
    )


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A lab whose state directory is ``playbooks/<unusual>/`` of the checkout, plus decoys, removed afterwards."""
    unusual = REPO_ROOT / "playbooks" / f"site-files-{os.getpid()}"
    decoys = [
        REPO_ROOT / f".venv-packaging-{os.getpid()}",
        REPO_ROOT / "plugins" / "plugin_utils" / f"lab-{os.getpid()}",
    ]
    lab: Lab | None = None
    try:
        for subnet in _candidate_subnets():
            if _winrm_addresses_free(subnet):
                lab = start_lab(unusual, hosts="2010", subnet=subnet, extra=("--winrm-port", "0"))
                break
        assert lab is not None, "no free loopback /24 for the lab"
        secrets = [lab.info["adcs"]["password"], lab.info["winrm"]["password"]]
        decoys[0].mkdir()
        (decoys[0] / "pyvenv.cfg").write_text("home = /usr/bin\n")
        (decoys[0] / "site.py").write_text(f"# {secrets[0]}\n")
        decoys[1].mkdir()
        # A copy of a lab's files under names a shipped directory would take, and the key files a lab might write.
        shutil.copy(unusual / "lab.json", decoys[1] / "lab.json")
        (decoys[1] / "secret_settings.py").write_text(f"PASSWORD = {secrets[1]!r}\n")
        (decoys[1] / "server.key").write_text("-----BEGIN PRIVATE KEY-----\n")
        (REPO_ROOT / "playbooks" / f"inventory-{os.getpid()}.yml").write_text(yaml.safe_dump({"pw": secrets[1]}))
        yield {"lab": lab, "dir": unusual, "secrets": secrets, "decoys": decoys}
    finally:
        if unusual.exists():
            stop_lab(unusual)
            shutil.rmtree(unusual, ignore_errors=True)
        for decoy in decoys:
            shutil.rmtree(decoy, ignore_errors=True)
        (REPO_ROOT / "playbooks" / f"inventory-{os.getpid()}.yml").unlink(missing_ok=True)


def _build(output: Path) -> Path:
    galaxy = Path(sys.executable).parent / "ansible-galaxy"
    done = subprocess.run(
        [str(galaxy), "collection", "build", "--force", "--output-path", str(output)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [tarball] = output.glob("exchange_um-certificates-*.tar.gz")
    return tarball


@pytest.fixture(scope="module")
def members(planted: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes | None]:
    """Each member of the tarball: a file's bytes, or None for a directory."""
    tarball = _build(tmp_path_factory.mktemp("galaxy-build"))
    with tarfile.open(tarball) as archive:
        return {
            member.name: archive.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            for member in archive.getmembers()
        }


def test_the_lab_really_is_inside_the_checkout(planted: dict[str, object]) -> None:
    directory = planted["dir"]
    assert isinstance(directory, Path)
    assert (directory / "lab.json").is_file() and (directory / "inventory.yml").is_file()
    assert directory.resolve().is_relative_to(REPO_ROOT.resolve())


def test_only_the_collection_s_own_files_are_packed(members: dict[str, bytes | None]) -> None:
    files = [name for name, data in members.items() if data is not None]
    assert sorted(name for name in files if not _shipped(name)) == []
    for name in REQUIRED:
        assert name in files, name
    # Nothing committed that ships is left out (a new module must not need a manifest edit nobody notices).
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert sorted(name for name in tracked if _shipped(name) and name not in files) == []
    # Every directory in the tarball holds something that ships.
    for directory in (name for name, data in members.items() if data is None):
        assert any(name.startswith(directory + "/") for name in files), directory


def test_no_lab_venv_key_or_secret_is_packed(members: dict[str, bytes | None], planted: dict[str, object]) -> None:
    names = list(members)
    for pattern in ("*lab.json", "*inventory.yml", "*inventory-*.yml", "*.key", "*.pem", "*.log", ".venv*", "*/.venv*"):
        assert not [name for name in names if fnmatch.fnmatch(name, pattern)], pattern
    for prefix in (
        "tests",
        ".lab",
        ".build",
        "hacking",
        f"playbooks/site-files-{os.getpid()}",
        "plugins/plugin_utils/lab-",
    ):
        assert not [name for name in names if name.startswith(prefix)], prefix
    secrets = planted["secrets"]
    assert isinstance(secrets, list)
    for name, data in members.items():
        for secret in secrets:
            assert data is None or secret.encode() not in data, f"{name} holds a lab password"
