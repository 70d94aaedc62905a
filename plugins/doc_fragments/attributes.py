# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Descriptions of the check_mode and diff_mode attributes; each module states its C(support)."""

    DOCUMENTATION = r"""
attributes:
  check_mode:
    description:
      - In check mode the module reads the current state, computes what it would change and reports it
        as C(changed), without sending any request that modifies something.
  diff_mode:
    description:
      - In diff mode the module returns the managed state before and after the change, sorted so that
        reruns produce the same output; in check mode, the state the change would produce.
"""
