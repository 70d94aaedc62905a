# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: stage_argument_spec
version_added: 0.1.0
short_description: The argument spec of one of this collection's roles
description:
  - Returns the O(_terms[0]) role's argument spec options for the entry point O(entry), read from the role's
    C(meta/argument_specs.yml) inside this collection, wherever it is installed (a checkout, a collections
    path, an execution environment).
  - Meant for C(ansible.builtin.validate_argument_spec), so that a preflight can check the arguments of every
    stage a run will execute before the first of them starts.
author:
  - fabrik.deploy contributors (@fabrik)
options:
  _terms:
    description: The role's short name, for example V(dns).
    type: list
    elements: str
    required: true
  entry:
    description: The role's entry point (its tasks file without C(.yml)).
    type: str
    default: main
"""

EXAMPLES = r"""
- name: The gate's arguments are valid
  ansible.builtin.validate_argument_spec:
    argument_spec: "{{ lookup('fabrik.deploy.stage_argument_spec', 'dns', entry='gate') }}"
"""

RETURN = r"""
_raw:
  description: The options of the entry point's argument spec (one mapping).
  type: list
  elements: dict
"""

from pathlib import Path

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.fabrik.deploy.plugins.module_utils._yaml import safe_load

# plugins/lookup/<this file> -> the collection's root
ROLES_DIR = Path(__file__).resolve().parents[2] / "roles"


def argument_spec_options(role, entry="main", roles_dir=ROLES_DIR):
    """The ``options`` of ``role``'s argument spec for ``entry``."""
    roles = sorted(path.name for path in roles_dir.iterdir() if (path / "meta" / "argument_specs.yml").is_file())
    if role not in roles:
        raise AnsibleLookupError("stage_argument_spec: no role %r in fabrik.deploy (roles: %s)" % (role, ", ".join(roles)))
    with open(roles_dir / role / "meta" / "argument_specs.yml", encoding="utf-8") as handle:
        specs = safe_load(handle)["argument_specs"]
    if entry not in specs:
        raise AnsibleLookupError("stage_argument_spec: role %s has no entry point %r (entry points: %s)"
                                 % (role, entry, ", ".join(sorted(specs))))
    return specs[entry].get("options", {})


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        return [argument_spec_options(term, self.get_option("entry")) for term in terms]
