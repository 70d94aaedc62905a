"""Offline stand-in for the get-pip.py script that ansible-test downloads.

ansible-test runs its cached bootstrap script inside each new sanity virtual
environment as ``python get_pip_X_Y.py [pip options] pip==X.Y --no-setuptools
--no-wheel``. This script installs pip from the interpreter's own ensurepip,
then installs the requested packages with the machine's pip configuration.

ensurepip deletes every PIP_* variable and sets PIP_CONFIG_FILE to /dev/null in
the process environment, which would hide the machine's pip configuration
(certificates, find-links, extra indexes, constraints); the environment is put
back before anything else is installed.
"""

from __future__ import annotations

import ensurepip
import os
import subprocess
import sys

# get-pip.py options that pip install itself does not know.
GET_PIP_ONLY_OPTIONS = frozenset({"--no-setuptools", "--no-wheel", "--no-pip"})


def pip_environment() -> dict[str, str]:
    """Return the PIP_* variables of the current environment."""
    return {key: value for key, value in os.environ.items() if key.startswith("PIP_")}


def restore_pip_environment(saved: dict[str, str]) -> None:
    """Make the PIP_* variables exactly ``saved`` again."""
    for key in list(pip_environment()):
        if key not in saved:
            del os.environ[key]
    os.environ.update(saved)


def pip_install_arguments(argv: list[str]) -> list[str]:
    """Return the get-pip.py arguments that pip install accepts."""
    return [argument for argument in argv if argument not in GET_PIP_ONLY_OPTIONS]


def main(argv: list[str]) -> int:
    saved = pip_environment()
    try:
        ensurepip.bootstrap(upgrade=True)
    finally:
        restore_pip_environment(saved)

    arguments = pip_install_arguments(argv)
    if not [argument for argument in arguments if not argument.startswith("-")]:
        return 0
    command = [sys.executable, "-m", "pip", "install", *arguments]
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
