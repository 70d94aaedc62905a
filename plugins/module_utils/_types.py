# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values checked the way Ansible coerces them, with messages written for the person who wrote the value.

* :func:`to_int`, :func:`to_float`, :func:`to_bool` accept what Ansible's own argument validation accepts
  (``"123"`` for an integer, ``"yes"``/``"off"`` for a boolean: extra vars given with ``-e`` are strings);
  the validators of every service use them, so a value the preflight accepts is one the module accepts.
* :func:`check` checks a value against an argument-spec-shaped description (``type``, ``elements``,
  ``options``, ``required``, ``choices``, ``default``: the format of a role's ``meta/argument_specs.yml`` and of a
  module's ``argument_spec``) and returns the coerced value. Every problem is appended to a list as a
  :class:`~._common.SpecError` whose field is the path the user wrote (``wordpress_pages[2].slug``); a
  message describes a wrong value by its kind and a short excerpt, never by a Python type or a dump.
"""

from __future__ import annotations

import json
import os

from ansible.module_utils.common.validation import check_type_bool, check_type_float, check_type_int

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError

EXCERPT = 40
KINDS = {"str": "a string", "int": "an integer", "float": "a number", "bool": "true or false",
         "list": "a list", "dict": "a mapping", "path": "a path", "raw": "a value"}


def describe(value):
    """A short description of ``value`` for a message: its kind and an excerpt, never a dump."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "the boolean %s" % ("true" if value else "false")
    if isinstance(value, (int, float)):
        return "the number %s" % value
    if isinstance(value, str):
        text = value if len(value) <= EXCERPT else value[:EXCERPT] + "..."
        return "the string %s" % json.dumps(text, ensure_ascii=False)
    if isinstance(value, dict):
        keys = sorted(str(key) for key in value)
        shown = ", ".join(keys[:5]) + (", ..." if len(keys) > 5 else "")
        return "a mapping (keys: %s)" % shown if keys else "an empty mapping"
    if isinstance(value, (list, tuple)):
        return "a list of %d item%s" % (len(value), "" if len(value) == 1 else "s")
    return "a value of another kind"


def to_int(value, field):
    """``value`` as an integer as Ansible converts it (``"60"``, ``60.0``); SpecError naming ``field``."""
    if isinstance(value, bool):
        raise SpecError(field, "an integer expected, got %s" % describe(value))
    try:
        return check_type_int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise SpecError(field, "an integer expected, got %s" % describe(value)) from None


def to_float(value, field):
    """``value`` as a number as Ansible converts it (``"1.5"``, ``2``)."""
    if isinstance(value, bool):
        raise SpecError(field, "a number expected, got %s" % describe(value))
    try:
        return check_type_float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise SpecError(field, "a number expected, got %s" % describe(value)) from None


def to_bool(value, field):
    """``value`` as a boolean as Ansible converts it (``yes``/``no``, ``true``/``false``, ``on``/``off``, 1/0)."""
    try:
        return check_type_bool(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise SpecError(field, "true or false expected (or yes/no, on/off, 1/0), got %s" % describe(value)) from None


def _to_str(value, field):
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise SpecError(field, "a string expected, got %s" % describe(value))


def _to_list(value, field, elements):
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str) and elements in (None, "str", "int", "float", "bool", "path", "raw"):
        # Ansible splits a string given for a list on commas.
        return [item.strip() for item in value.split(",")] if value.strip() else []
    raise SpecError(field, "a list expected, got %s" % describe(value))


def _to_dict(value, field):
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    raise SpecError(field, "a mapping expected, got %s" % describe(value))


def _to_path(value, field):
    return os.path.expanduser(os.path.expandvars(_to_str(value, field)))


CONVERTERS = {"str": _to_str, "int": to_int, "float": to_float, "bool": to_bool, "dict": _to_dict,
              "path": _to_path}


def _scalar(value, kind, field):
    if kind in (None, "raw") or kind not in CONVERTERS:
        return value
    return CONVERTERS[kind](value, field)


def check(value, spec, field, problems, fill=True):
    """``value`` checked against ``spec`` (one option's description) and coerced; None after a problem
    (appended to ``problems``). A None value stays None (the caller handles required options). With ``fill``,
    a mapping with ``options`` gets every option (None when not set), as a module sees it; without, only the
    keys it has, as a role sees its variable."""
    if value is None:
        return None
    kind = spec.get("type", "str")
    try:
        if kind == "list":
            items = _to_list(value, field, spec.get("elements"))
            value = [check_element(item, spec, "%s[%d]" % (field, index), problems, fill)
                     for index, item in enumerate(items)]
        else:
            value = _scalar(value, kind, field)
            if kind == "dict" and spec.get("options"):
                value = check_options(value, spec["options"], field, problems, fill=fill)
    except SpecError as err:
        problems.append(err)
        return None
    choices = spec.get("choices")
    if choices and kind != "list" and value is not None and value not in choices:
        problems.append(SpecError(field, "one of %s expected, got %s" % (", ".join(str(c) for c in choices),
                                                                         describe(value))))
        return None
    return value


def check_element(item, spec, field, problems, fill=True):
    """One element of a list option (``elements``, ``choices`` and ``options`` apply to each)."""
    elements = spec.get("elements")
    if item is None:
        problems.append(SpecError(field, "%s expected, got nothing (null)" % KINDS.get(elements or "raw", "a value")))
        return None
    try:
        item = _scalar(item, elements, field)
    except SpecError as err:
        problems.append(err)
        return None
    if elements == "dict" and spec.get("options"):
        return check_options(item, spec["options"], field, problems, fill=fill)
    choices = spec.get("choices")
    if choices and item not in choices:
        problems.append(SpecError(field, "one of %s expected, got %s" % (", ".join(str(c) for c in choices),
                                                                         describe(item))))
        return None
    return item


def check_options(values, options, field, problems, unknown=True, fill=True):
    """A mapping checked against ``options``: required keys present, each value checked, defaults applied,
    unknown keys refused (with the allowed ones) unless ``unknown`` is False."""
    checked = {}
    if unknown:
        for key in sorted(set(values) - set(options), key=str):
            problems.append(SpecError("%s.%s" % (field, key), "unknown field; allowed: %s" % ", ".join(sorted(options))))
    for key, spec in options.items():
        where = "%s.%s" % (field, key)
        if values.get(key) is None:
            if spec.get("required"):
                problems.append(SpecError(where, "required"))
            if fill:  # as Ansible's validator: the default, else None
                checked[key] = spec["default"] if "default" in spec and not _is_template(spec["default"]) else None
            continue
        checked[key] = check(values[key], spec, where, problems, fill)
    return checked


def _is_template(value):
    return isinstance(value, str) and ("{{" in value or "{%" in value)
