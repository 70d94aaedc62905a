# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""YAML for the collection's own files and the documents it compares: PyYAML's safe loader and dumper, with
libyaml's parser and emitter when PyYAML was built with them (about ten times faster than the pure Python
ones, which read and write the same documents the same way). Compose files are parsed and dumped by several
tasks of a run; the preflight reads presets, legal texts and the roles' argument specs.
"""

from __future__ import annotations

try:
    import yaml
except ImportError:  # ansible-core requires PyYAML; kept for the sanity import test
    yaml = None

AVAILABLE = yaml is not None
SAFE_LOADER = getattr(yaml, "CSafeLoader", None) or getattr(yaml, "SafeLoader", None)
SAFE_DUMPER = getattr(yaml, "CSafeDumper", None) or getattr(yaml, "SafeDumper", None)
# What a document that is not YAML raises.
YAMLError = getattr(yaml, "YAMLError", ValueError)


def safe_load(stream):
    """``yaml.safe_load`` with libyaml's loader when there is one."""
    return yaml.load(stream, Loader=SAFE_LOADER)  # nosec: a safe loader


def safe_dump(data, **options):
    """``yaml.safe_dump`` with libyaml's emitter when there is one."""
    return yaml.dump(data, Dumper=SAFE_DUMPER, **options)
