# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cwd
version_added: 0.1.0
short_description: The directory ansible-playbook was started in
description:
  - Returns the controller's current working directory, the directory the user ran C(ansible-playbook) from.
  - Unlike C(playbook_dir), it does not move with the playbook, so a playbook run from an installed collection
    (C(ansible-playbook fabrik.deploy.new_site)) can write files where the user is. Unlike the C(PWD)
    environment variable, it is right whatever started the process.
author:
  - fabrik.deploy contributors (@fabrik)
options: {}
"""

EXAMPLES = r"""
- name: Where new inventories go by default
  ansible.builtin.set_fact:
    new_site_dir: "{{ lookup('fabrik.deploy.cwd') }}/inventories"
"""

RETURN = r"""
_raw:
  description: The absolute path of the current working directory (one item).
  type: list
  elements: path
"""

import os

from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        return [os.getcwd()]
