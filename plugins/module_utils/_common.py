# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Helpers shared by the modules: their error types, diff structures, change detection, names, libraries."""

from __future__ import annotations

import copy
import json
import re
import time
import traceback

MAX_DOMAIN_LENGTH = 253
# A DNS label: 1..63 letters, digits and hyphens (underscores too in host names: _dmarc, _sip._tcp), no hyphen
# at either end.
DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
# Independent reads a module may send at once (parallel()).
PARALLEL_READS = 4


class SpecError(ValueError):
    """Invalid user input; ``field`` names the option (e.g. ``records[2].ttl``)."""

    def __init__(self, field, message):
        super().__init__("%s: %s" % (field, message))
        self.field = field
        self.message = message


class Failure(Exception):
    """The module fails with ``msg``; ``fields`` go into the failed result as they are (e.g. what was read
    before the failure, or ``exception``: a traceback to report)."""

    def __init__(self, msg, **fields):
        super().__init__(msg)
        self.msg = msg
        self.fields = fields


def sorted_for_diff(items, keys):
    """A deep copy of the dicts in ``items``, sorted by the fields ``keys`` (a name or a sequence)."""
    keys = (keys,) if isinstance(keys, str) else tuple(keys)
    copies = [_sorted_keys(copy.deepcopy(item)) for item in items]
    return sorted(copies, key=lambda item: tuple(_sort_token(item.get(key)) for key in keys))


def keyed_for_diff(items, key):
    """A diff side for a list of dicts: a dict of the items by their ``key`` field (Ansible's callbacks render
    dicts and strings as diffs, not lists), each item a sorted deep copy without that field."""
    return {str(item[key]): {name: value for name, value in item.items() if name != key}
            for item in sorted_for_diff(items, key)}


def changed_fields(current, desired):
    """The desired fields whose value differs from ``current``.

    A field absent from ``desired`` or set to None there means "leave as is".
    Values compare as a whole (a nested dict differs if any part differs).
    """
    return {
        key: value
        for key, value in desired.items()
        if value is not None and (key not in current or current[key] != value)
    }


def validate_domain_name(value, field):
    """Return ``value`` lower-cased without a trailing dot, or raise SpecError naming ``field``.

    Accepted: at least two labels of ASCII letters, digits and inner hyphens, 1..63
    characters each, 253 in total, a top-level label that is not all digits.
    Internationalised names must be given in their punycode (``xn--``) form.
    """
    if not isinstance(value, str) or not value.strip():
        raise SpecError(field, "a domain name expected, got %s" % json.dumps(value, default=str))
    name = value.strip().rstrip(".").lower()
    problem = _domain_problem(name)
    if problem:
        raise SpecError(field, "%s, got %s" % (problem, json.dumps(value)))
    return name


def _domain_problem(name):
    problem = hostname_problem(name, min_labels=2, underscores=False)
    if problem is None and name.rsplit(".", 1)[-1].isdigit():
        return "a top-level domain that is not all digits expected"
    return problem


def hostname_problem(name, min_labels=1, wildcard=False, underscores=True):
    """Why ``name`` (lower case, without a trailing dot) is not a DNS host name, or None: the one rule of the
    collection for domains, record names, name servers and URL hosts.

    ASCII only (internationalised names in their ``xn--`` form), at most 253 characters, ``min_labels``
    labels or more, each of 1..63 letters, digits, hyphens and (with ``underscores``, for service labels
    such as ``_dmarc``) underscores, no hyphen at either end; with ``wildcard``, ``*`` as the first label.
    """
    if not name.isascii():
        return "ASCII expected (give an internationalised name in its xn-- punycode form)"
    if len(name) > MAX_DOMAIN_LENGTH:
        return "at most %d characters expected" % MAX_DOMAIN_LENGTH
    labels = name.split(".")
    if len(labels) < min_labels:
        return "a domain with at least two labels expected (e.g. example.com)"
    pattern = HOST_LABEL if underscores else DOMAIN_LABEL
    for position, label in enumerate(labels):
        if not (pattern.match(label) or (wildcard and position == 0 and label == "*")):
            return "labels of 1..63 %s expected, not starting or ending with a hyphen%s (label %s)" % (
                "letters, digits, hyphens or underscores" if underscores else "letters, digits or hyphens",
                ", '*' only as the first label" if wildcard else "", json.dumps(label))
    return None


def _sorted_keys(value):
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


def _sort_token(value):
    """A sort key that orders None, numbers, strings and anything else without type errors."""
    if value is None:
        return (0, 0)
    if isinstance(value, (bool, int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, json.dumps(value, sort_keys=True, default=str))


def parallel(*calls, limit=PARALLEL_READS):
    """The results of independent ``calls`` (reads, typically), run concurrently, at most ``limit`` at once;
    the first call's exception is raised first, so errors come out in the order they would have sequentially."""
    if len(calls) < 2:
        return [call() for call in calls]
    from concurrent.futures import ThreadPoolExecutor  # only modules with independent reads pay the import

    with ThreadPoolExecutor(max_workers=min(limit, len(calls))) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def wait_for(read, done, deadline, interval, value=None, tries=None, sleep=time.sleep, clock=time.monotonic):
    """Poll a resource until ``done(value)``: the one wait loop of the collection (a zone turning active,
    a deployment ending, a resource running, a site answering).

    ``value`` is what was last read (None: read now); ``read()`` is called again every ``interval`` seconds.
    Returns ``(True, value)`` once done, or ``(False, last value)`` as soon as another wait would end
    after ``deadline`` (a ``time.monotonic()`` value, None for none) or ``tries`` reads were made; the
    caller turns that into its own failure.
    """
    reads = 0
    if value is None:
        value, reads = read(), 1
    while not done(value):
        if (deadline is not None and clock() + interval > deadline) or (tries is not None and reads >= tries):
            return False, value
        sleep(interval)
        value, reads = read(), reads + 1
    return True, value


def attempt(call, errors):
    """``(call(), None)``, or ``(None, error)`` when it raises one of ``errors``: for a read made ahead of
    knowing whether its answer is needed."""
    try:
        return call(), None
    except errors as err:
        return None, err


class LazyImport:
    """A third-party library a client needs, imported on its first use: a module process that never talks
    through it (a validator, a REST-only module) does not pay its import time.

    ``loader()`` imports and returns a namespace of what the client needs; :meth:`load` returns it, or None
    when an import failed (:attr:`error` then holds the traceback for ``missing_required_lib``).

    In the controller the opposite is wanted: modules run in Ansible's worker processes, forked for each task
    from the parent process that loaded their action plugins. :meth:`preload_all`, called when the in-process
    runner is imported (in the parent), imports every library declared so far and any declared later, so
    that no worker imports one again.
    """

    eager = False
    declared = []

    def __init__(self, loader):
        self._loader = loader
        self._loaded = False
        self._value = None
        self.error = None
        LazyImport.declared.append(self)
        if LazyImport.eager:
            self.load()

    def load(self):
        if not self._loaded:
            self._loaded = True
            try:
                self._value = self._loader()
            except ImportError:
                self.error = traceback.format_exc()
        return self._value

    @classmethod
    def preload_all(cls):
        cls.eager = True
        for library in cls.declared:
            library.load()
