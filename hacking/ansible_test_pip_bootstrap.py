"""Pip bootstrap for ansible-test where only the package index is reachable.

ansible-test bootstraps pip into its sanity venvs with a script it downloads from its own CI file host and caches as
``~/.ansible/test/cache/get_pip_<version>.py``. This file is a stand-in that takes the same arguments: it installs pip
from the interpreter's bundled ``ensurepip`` and then the pinned packages from the configured package index.

``python hacking/ansible_test_pip_bootstrap.py --install`` puts it into that cache for every pip version the installed
ansible-test asks for.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}
CACHE_DIR = Path.home() / ".ansible" / "test" / "cache"


def bootstrap(arguments: list[str]) -> None:
    # In a child process: ensurepip disables pip's configuration files (index, certificates) for its own process.
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
    pip_arguments = [argument for argument in arguments if argument not in GET_PIP_ONLY_OPTIONS]
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *pip_arguments])


def install_into_cache() -> None:
    import ansible_test  # the ansible-test of the running interpreter

    requirements = Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
    versions = set(re.findall(r"pip='([0-9.]+)'", requirements.read_text(encoding="utf-8")))
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    for version in sorted(versions):
        shutil.copyfile(__file__, CACHE_DIR / f"get_pip_{version.replace('.', '_')}.py")


if __name__ == "__main__":
    if sys.argv[1:] == ["--install"]:
        install_into_cache()
    else:
        bootstrap(sys.argv[1:])
