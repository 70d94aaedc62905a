"""The ansible-core versions the collection claims are the ones it is tested with."""

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def _pinned_core(requirements):
    text = (REPO / requirements).read_text()
    return re.search(r"^ansible-core==(\d+)\.(\d+)\.\d+", text, re.M).groups()


def test_requires_ansible_is_the_oldest_tested_ansible_core():
    """``make compat`` runs the oldest supported controller; meta/runtime.yml must claim exactly that."""
    oldest = "%s.%s" % _pinned_core("requirements-compat.txt")
    requires = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())["requires_ansible"]
    assert requires == ">=%s.0" % oldest


def test_roles_and_the_execution_environment_agree_with_requires_ansible():
    oldest = "%s.%s" % _pinned_core("requirements-compat.txt")
    for meta in sorted(REPO.glob("roles/*/meta/main.yml")):
        assert yaml.safe_load(meta.read_text())["galaxy_info"]["min_ansible_version"] == oldest, meta
    newest = "%s.%s" % _pinned_core("requirements-dev.txt")
    ee = yaml.safe_load((REPO / "execution-environment" / "execution-environment.yml").read_text())
    spec = ee["dependencies"]["ansible_core"]["package_pip"]
    low, high = re.match(r"ansible-core>=(\d+\.\d+),<(\d+\.\d+)$", spec).groups()
    assert low == oldest
    assert tuple(map(int, newest.split("."))) < tuple(map(int, high.split(".")))
