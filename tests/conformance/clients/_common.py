"""Shared by the client scripts (standard library only: each runs in its client's own virtualenv).

``FABRIK_CONFORMANCE`` (JSON) names each emulator's URL, control URL and the sandbox credentials.
A script runs ``step(name, function)`` for each thing the client's users do; a failing step
prints its traceback and the script exits 1 after the remaining steps have run.
"""

import json
import os
import sys
import traceback
import urllib.request

CONNECTION = json.loads(os.environ["FABRIK_CONFORMANCE"])
FAILED = []


def step(name, function, *args, **kwargs):
    """Run one step; report ``ok`` or the traceback.  Returns the step's result (None on failure)."""
    try:
        result = function(*args, **kwargs)
    except Exception:  # reported, and the script fails at the end
        FAILED.append(name)
        print("FAILED: %s\n%s" % (name, traceback.format_exc()), flush=True)
        return None
    print("ok: %s" % name, flush=True)
    return result


def check(condition, message, *details):
    if not condition:
        raise AssertionError(message % details if details else message)


def control(service, method, path, body=None):
    """The emulator's control API (``/_sandbox/...``): configure, state, request log."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request("%s/%s" % (CONNECTION[service]["control"], path), data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    # generous: reading violations waits for the pending contract checks (slow on a loaded machine)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def finish():
    if FAILED:
        print("%d step(s) failed: %s" % (len(FAILED), ", ".join(FAILED)), flush=True)
        sys.exit(1)
    print("all steps passed", flush=True)


def sending_invalid_requests(service, function, *args, **kwargs):
    """Run ``function``, which sends requests the vendor's spec refuses on purpose (error handling).

    The emulator records them as contract violations; there must be none before, and the ones
    this step caused are cleared, so any other violation still fails the test.
    """
    before = control(service, "GET", "violations")
    check(not before, "contract violations before an invalid-request step: %r", before)
    try:
        return function(*args, **kwargs)
    finally:
        control(service, "DELETE", "violations")
