# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloudflare zone settings: the desired values as Cloudflare represents them, and what differs."""

from __future__ import annotations

import re

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError

SETTING_ID_PATTERN = re.compile(r"^[a-z0-9_]+$")

SSL_MODES = ("off", "flexible", "full", "strict")
TLS_VERSIONS = ("1.0", "1.1", "1.2", "1.3")
ON_OFF = {True: "on", False: "off", "on": "on", "off": "off"}


def _tls_version(value, field_path):
    if isinstance(value, bool):
        raise SpecError(field_path, "one of %s expected, got %r" % (", ".join(TLS_VERSIONS), value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    version = None if number is None else "%.1f" % number
    if version is not None and float(version) != number:
        version = None
    if version not in TLS_VERSIONS:
        raise SpecError(field_path, "one of %s expected, got %r" % (", ".join(TLS_VERSIONS), value))
    return version


def _on_off(value, field_path):
    key = value.strip().lower() if isinstance(value, str) else value
    if key not in ON_OFF:
        raise SpecError(field_path, "true/false or on/off expected, got %r" % (value,))
    return ON_OFF[key]


def normalize_settings(settings):
    """Values as Cloudflare represents them: ``ssl`` checked, ``min_tls_version`` as "1.x",
    ``always_use_https`` and every other boolean as "on"/"off"; anything else passed through."""
    normalized = {}
    for setting_id, value in (settings or {}).items():
        field_path = "settings.%s" % setting_id
        if not SETTING_ID_PATTERN.match(str(setting_id)):
            raise SpecError(field_path, "setting ids are lowercase letters, digits and '_'")
        if value is None:
            raise SpecError(field_path, "a value is required")
        if setting_id == "ssl":
            mode = str(value).strip().lower()
            if mode not in SSL_MODES:
                raise SpecError(field_path, "one of %s expected, got %r" % (", ".join(SSL_MODES), value))
            normalized[setting_id] = mode
        elif setting_id == "min_tls_version":
            normalized[setting_id] = _tls_version(value, field_path)
        elif setting_id == "always_use_https" or isinstance(value, bool):
            normalized[setting_id] = _on_off(value, field_path)
        else:
            normalized[setting_id] = value
    return normalized


def settings_changes(desired, current):
    """The desired settings whose value differs from the current one."""
    return {key: value for key, value in desired.items() if current.get(key) != value}
