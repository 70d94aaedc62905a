"""The execution environment a job runs in: what ``ansible-builder create`` generates from
execution-environment/execution-environment.yml, and what its stages would do with it.

No container engine is needed: the galaxy stage's command (install the collection from the build
context) and the builder stage's introspection run here on the generated context, as they would in
the image.
"""

import subprocess
import sys
from pathlib import Path

import yaml

from tests.integration.conftest import REPO

BIN = Path(sys.executable).parent
RUNTIME_REQUIREMENTS = ("requests", "defusedxml", "boto3", "uptime-kuma-api2")


def _run(args, cwd=REPO, timeout=600, env=None):
    result = subprocess.run([str(arg) for arg in args], cwd=str(cwd), capture_output=True, text=True, timeout=timeout,
                            check=False, env=env)
    assert result.returncode == 0, "%s\n%s\n%s" % (" ".join(map(str, args)), result.stdout[-4000:], result.stderr[-4000:])
    return result


def test_the_image_installs_the_collection_from_its_tarball_and_its_requirements(tmp_path):
    _run([REPO / "tools" / "build-check", BIN / "ansible-galaxy", REPO / "build" / "dist"])
    context = tmp_path / "context"
    _run([REPO / "tools" / "ee-check", BIN / "ansible-builder", context])

    # The build context carries the tarball that was just built, and the galaxy stage installs it.
    built = (REPO / "build" / "dist" / "fabrik-deploy.tar.gz").read_bytes()
    assert (context / "_build" / "collections" / "fabrik-deploy.tar.gz").read_bytes() == built
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements["collections"] == [{"name": "collections/fabrik-deploy.tar.gz", "type": "file"}]
    containerfile = (context / "Containerfile").read_text() if (context / "Containerfile").exists() \
        else (context / "Dockerfile").read_text()
    galaxy_stage = containerfile[containerfile.index("AS galaxy"):containerfile.index("AS builder")]
    assert "COPY _build /build" in galaxy_stage and "WORKDIR /build" in galaxy_stage
    assert "ansible-galaxy collection install" in galaxy_stage and "-r requirements.yml" in galaxy_stage

    # The galaxy stage, run here: from the context's _build directory, as the image's WORKDIR /build.
    workdir = tmp_path / "build"
    _run(["cp", "-r", context / "_build", workdir])
    # The image's environment: no collections path that already holds this checkout (make's
    # ANSIBLE_COLLECTIONS_PATH would have ansible-galaxy skip the install as "already installed").
    image_env = {"PATH": "%s:/usr/bin:/bin" % BIN, "HOME": str(tmp_path)}
    collections = tmp_path / "usr-share-ansible-collections"
    installing = _run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-r", "requirements.yml",
                       "--collections-path", collections], cwd=workdir, env=image_env)
    assert "fabrik.deploy" in installing.stdout and "was installed successfully" in installing.stdout, installing.stdout
    installed = collections / "ansible_collections" / "fabrik" / "deploy"
    assert (installed / "playbooks" / "site.yml").is_file()
    assert (installed / "plugins" / "action").is_dir() or (installed / "plugins" / "modules").is_dir()

    # The builder stage's introspection finds the collection's own requirements.
    introspected = _run([sys.executable, context / "_build" / "scripts" / "introspect.py", "introspect",
                         "--user-pip", "/dev/null", collections]).stdout
    found = yaml.safe_load(introspected[introspected.index("python:"):]) if "python:" in introspected else {}
    names = {line.split("#")[0].split("==")[0].split(">")[0].split("<")[0].strip().lower()
             for line in (found.get("python") or [])}
    assert set(RUNTIME_REQUIREMENTS) <= names, introspected

    # And the installed collection is complete for a job: its playbook parses by name.
    checked = subprocess.run([str(BIN / "ansible-playbook"), "fabrik.deploy.site", "--syntax-check", "-i", "localhost,"],
                             cwd=str(tmp_path), capture_output=True, text=True, timeout=300, check=False,
                             env={"PATH": "%s:/usr/bin:/bin" % BIN, "ANSIBLE_COLLECTIONS_PATH": str(collections),
                                  "HOME": str(tmp_path)})
    assert checked.returncode == 0, checked.stdout + checked.stderr
