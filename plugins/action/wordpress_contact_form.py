# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabrik.deploy.wordpress_contact_form in Ansible's worker process (see plugins/plugin_utils/in_process.py)."""

from __future__ import annotations

from ansible_collections.fabrik.deploy.plugins.modules import wordpress_contact_form
from ansible_collections.fabrik.deploy.plugins.plugin_utils.in_process import ModuleAction


class ActionModule(ModuleAction):
    module = wordpress_contact_form
