"""Usage: .venv/bin/python tools/seed_ansible_test_cache.py

Writes tools/pip_bootstrap.py where ansible-test looks for its cached pip
bootstrap script (~/.ansible/test/cache/get_pip_<version>.py), for the pip
version that the installed ansible-test asks for, so that sanity tests never
try to download get-pip.py. Run it with the interpreter that has ansible-test.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

from ansible_test._internal.python_requirements import get_venv_packages

BOOTSTRAP_SCRIPT = Path(__file__).resolve().parent / "pip_bootstrap.py"
CACHE_DIR = Path.home() / ".ansible" / "test" / "cache"


def wanted_pip_version() -> str:
    """Return the pip version ansible-test bootstraps into this Python's venvs."""
    python = types.SimpleNamespace(version="%d.%d" % sys.version_info[:2])
    return get_venv_packages(python)["pip"]


def main() -> int:
    version = wanted_pip_version()
    target = CACHE_DIR / ("get_pip_%s.py" % version.replace(".", "_"))
    script = BOOTSTRAP_SCRIPT.read_text(encoding="utf-8")
    if target.is_file() and target.read_text(encoding="utf-8") == script:
        print("ansible-test pip %s bootstrap already seeded: %s" % (version, target))
        return 0
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    target.write_text(script, encoding="utf-8")
    print("seeded ansible-test pip %s bootstrap: %s" % (version, target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
