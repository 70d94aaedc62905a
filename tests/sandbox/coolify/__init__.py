"""Emulator of the Coolify v4 API (``/api/v1``) for the local sandbox, plus its HTTP edge.

Wire contract: ``tests/contracts/coolify/NOTES.md`` and ``openapi.yaml`` (Coolify 4.3.11).
Every request and response is validated against the spec (``openapi.py``), with the
corrections in ``SPEC_CORRECTIONS`` below (each one cites NOTES.md or says why).

Sandbox tokens (fixed, fake; ``Authorization: Bearer <token>``), one team each:

=================================  ===========================================
``1|sandbox-coolify-root``         ``root``
``2|sandbox-coolify-read``         ``read``
``3|sandbox-coolify-nodeploy``     ``read``, ``read:sensitive``, ``write``
``4|sandbox-coolify-nosensitive``  ``read``, ``write``, ``deploy``
=================================  ===========================================

Seed: one team, the server ``sandbox-server`` (``SERVER_UUID``, 127.0.0.1, Traefik)
with one destination, no projects.

Rules of this emulator that the sources leave open:

* Deletions are applied at once (Coolify queues them); ``deletions`` in ``/_sandbox/state``
  records each one with the ``delete_*``/``docker_cleanup`` flags the client asked for.
* An application deployment is ``queued`` for ``queued_seconds``, ``in_progress`` for
  ``in_progress_seconds`` (options, default 0.3 s each; deployments of one application run
  one after the other), then ``finished`` (the application turns ``running:healthy``) or
  ``failed`` when a failure was injected: ``fail_next_deployments`` (N next deployments)
  or ``failing_resources`` (names or uuids whose every deployment fails).
* Services and databases have no deployment record: a start makes them ``starting:unknown``,
  then ``running:healthy`` after ``queued_seconds + in_progress_seconds``; stop makes
  them ``exited:unhealthy`` (also the state of a resource never started).
* ``queue_limit`` (option, default unlimited): deployments not yet finished beyond which
  ``/deploy`` and application start/restart answer 429 with ``Retry-After: 60``.
* A raw compose is stored re-serialised (keys sorted, 4-space indent), as Coolify stores a
  re-dumped text; ``docker_compose`` adds Coolify's labels and container names.
* One-click ``type`` services: only ``ONE_CLICK_TEMPLATES`` (a few WordPress ones).
* Create fields the emulator accepts but does not model are ignored (not stored).

The edge (``CoolifyEdge``): an HTTP server routing by ``Host`` to running resources; a
WordPress resource is reverse-proxied to ``wordpress_url`` (option) when set: to the sandbox
WordPress's tenant named like the host (``/t/<host>``) when that tenant exists, else to its
default site.

Layout (a package split by resource; the handlers are mixins of ``CoolifyEmulator``):

=================== ==================================================================
``emulator.py``     ``CoolifyEmulator``: state, options, routing, auth, server, team, tags
``contract.py``     constants, the controllers' field lists, routes, spec corrections
``helpers.py``      errors, responses, value checks, ``Call`` and ``Resource``
``projects.py``     projects and environments
``applications.py`` placement of new resources, applications
``services.py``     services
``databases.py``    databases
``resources.py``    any resource: read, update, delete, lifecycle
``envs.py``         environment variables
``deployments.py``  deployments, ``/deploy``
``edge.py``         ``CoolifyEdge``
=================== ==================================================================
"""

from .contract import (
    APP_CREATE_FIELDS, APP_PATCH_FIELDS, BASE_PATH, COOLIFY_VERSION, DB_COMMON_FIELDS, DB_ENGINES, DB_PATCH_FIELDS,
    DESTINATION_UUID, ENV_FIELDS, NODEPLOY_TOKEN, NOSENSITIVE_TOKEN, READ_TOKEN, ROOT_TOKEN, SERVER_UUID,
    SERVICE_CREATE_FIELDS, SERVICE_PATCH_FIELDS, SPEC_CORRECTIONS, SPEC_FILE, TOKEN_ABILITIES,
)
from .edge import CoolifyEdge
from .emulator import CoolifyEmulator
from .helpers import json_response

__all__ = ["APP_CREATE_FIELDS", "APP_PATCH_FIELDS", "BASE_PATH", "COOLIFY_VERSION", "DB_COMMON_FIELDS", "DB_ENGINES",
           "DB_PATCH_FIELDS", "DESTINATION_UUID", "ENV_FIELDS", "NODEPLOY_TOKEN", "NOSENSITIVE_TOKEN", "READ_TOKEN",
           "ROOT_TOKEN", "SERVER_UUID", "SERVICE_CREATE_FIELDS", "SERVICE_PATCH_FIELDS", "SPEC_CORRECTIONS",
           "SPEC_FILE", "TOKEN_ABILITIES", "CoolifyEdge", "CoolifyEmulator", "json_response"]
