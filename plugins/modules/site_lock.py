#!/usr/bin/python
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: site_lock
short_description: One run at a time per site on this controller
version_added: "0.1.0"
description:
  - Takes the lock of a site for the rest of the C(ansible-playbook) run, waiting while another run of the
    same site holds it. The lock is released when the run ends, however it ends (success, failure, Ctrl-C,
    a killed process), since the kernel releases it with the process holding it.
  - The lock is a file lock (C(fcntl.flock)) on C(<state dir>/locks/<site>.lock), held by a small process
    started by this action, which watches C(ansible-playbook) and ends with it. The state directory is the
    variable C(fabrik_deploy_state_dir), else the environment variable E(FABRIK_DEPLOY_STATE_DIR), else
    C(~/.ansible/fabrik.deploy) (or C(<temp>/fabrik.deploy-<uid>) where the home directory is not writable).
    Every run on the controller that uses the same directory shares the locks.
  - A run that holds the lock already (an earlier task or play of the same run) takes it again at once.
    Two inventory hosts of one run naming the same site fail.
  - When another run held the lock since this run began (this run waited for it, or that run ended meanwhile),
    the answers this run's earlier tasks (the preflight) read and kept for the later ones are dropped, and the
    later tasks read the site again.
  - It protects runs on one controller. Runs on several controllers (AWX nodes, say) are not serialised;
    the modules stay safe without the lock (they find duplicates a concurrent run may create, see
    docs/operations.md).
  - C(site.yml) takes it right after the preflight, for every stage (tagged C(always)). Check mode takes no
    lock (the plan only reads).
  - This is an action plugin that always runs on the controller.
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
    details: Takes no lock and reports C(skipped).
  diff_mode:
    support: none
options:
  name:
    description:
      - The site's identity, usually C(site_domain). It is compared lower-case, trimmed and without a trailing dot,
        so C(Example.COM.) and C(example.com) are the same site.
    type: str
    required: true
  timeout:
    description:
      - Seconds to wait for another run to release the lock before failing. V(0) fails at once when the
        site is locked.
    type: int
    default: 3600
notes:
  - While it waits it prints which run holds the lock (C(ansible-playbook) process id, controller, inventory
    host, since when) and the lock file.
"""

EXAMPLES = r"""
- name: One run at a time for this site (site.yml passes site_domain)
  fabrik.deploy.site_lock:
    name: example.com
    timeout: 1800
"""

RETURN = r"""
site:
  description: The site's identity as locked.
  returned: always
  type: str
  sample: example.com
lock_file:
  description: The lock file.
  returned: unless check mode
  type: str
  sample: /home/deploy/.ansible/fabrik.deploy/locks/example.com.lock
waited:
  description: Seconds spent waiting for another run.
  returned: success, unless check mode
  type: float
  sample: 0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure

SPEC = dict(
    argument_spec=dict(
        name=dict(type="str", required=True),
        timeout=dict(type="int", default=3600),
    ),
    supports_check_mode=True,
)


def run(ctx):
    """The lock lives in the controller, for the whole run: only the action plugin (plugins/action/site_lock.py)
    can take it, and it does so on the controller whatever the task's connection or fabrik_deploy_in_process.
    Run as a module without its action plugin, it refuses."""
    raise Failure("fabrik.deploy.site_lock runs on the controller only (connection: local, in process): the lock "
                  "of %s is the controller's, for the whole ansible-playbook run" % ctx.params["name"])


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
