#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wordpress_contact_form
short_description: Manage the settings of the fabrik connector's contact form
version_added: 0.1.0
description:
  - The fabrik connector (1.1 or later) renders a contact form wherever a page has its shortcode
    C([fabrik_contact_form]) (the C(contact-form) section type writes it) - name, e-mail and message with their
    labels, in the site's language, rendered on the server, no plugin needed. A message that passes the rate
    limit, the honeypot, the nonce and the checks of its fields is stored (as a private post of the type
    C(fabrik_submission), shown to administrators under "Contact messages" and over REST at
    C(/wp/v2/fabrik-submissions)) and sent with C(wp_mail) to O(recipient).
  - This module sets the form's settings, through the connector's C(/fabrik/v1/contact-form) route - where
    messages go, the rate limit, how long messages are kept, the language and the texts. The stored settings
    are exactly the given ones; an option left out takes its default.
  - The connector deletes messages older than O(retention_days) after each new message and once a day (with
    WordPress's cron).
author:
  - fabrik.deploy contributors (@fabrik)
extends_documentation_fragment:
  - fabrik.deploy.wordpress
  - fabrik.deploy.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  recipient:
    description: The e-mail address each message is sent to; empty - the site administrator's (C(admin_email)).
    type: str
    default: ""
  rate_limit:
    description: Messages the form takes per minute from one client address (its C(REMOTE_ADDR)); V(0) - no limit.
    type: int
    default: 5
  retention_days:
    description: Days a stored message is kept; V(0) - until an administrator deletes it.
    type: int
    default: 90
  language:
    description:
      - The language of the form's texts - V(en), V(de), V(fr), V(es), V(it) or V(nl).
      - Empty - the site's language (its locale, C(de_DE) is V(de)), English when it is none of these.
    type: str
    default: ""
    choices: ["", en, de, fr, es, it, nl]
  texts:
    description:
      - Texts of the form by name, replacing the language's - C(name_label), C(email_label), C(message_label),
        C(required_note), C(submit), C(success), C(another), C(error_summary), C(name_missing), C(email_missing),
        C(email_invalid), C(message_missing), C(too_long) (placeholders C({label}) and C({max})), C(expired),
        C(rate_limited), C(server_error), C(honeypot_label), C(privacy), C(privacy_link), C(enquiry) (C({product})),
        C(mail_subject) (C({name})), C(mail_page).
      - Plain text, 1 to 500 bytes each, escaped where shown.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: The contact form sends to the office, keeps messages for a month and speaks German
  fabrik.deploy.wordpress_contact_form:
    recipient: office@example.com
    rate_limit: 3
    retention_days: 30
    language: de
    texts:
      submit: Absenden
"""

RETURN = r"""
settings:
  description: The form's settings after the run (in check mode, as they would be).
  returned: always
  type: dict
  sample: {recipient: office@example.com, rate_limit: 3, retention_days: 30, language: de, texts: {submit: Absenden}}
language:
  description: The language the form's texts are in (V(language), else the site's).
  returned: always
  type: str
  sample: de
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fabrik.deploy.plugins.module_utils import _runner as runner
from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError, parallel
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress import client_for, connection_argument_spec
from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_forms import (
    FORM_LANGUAGES,
    FORM_LIMITS,
    FORM_TEXTS,
    MAX_FORM_TEXT,
)

CONNECTOR_VERSION = (1, 1)
EMAIL = re.compile(r"^[^@\s<>\"\\]+@[^@\s<>\"\\]+\.[^@\s<>\"\\]+$")

SPEC = dict(
    argument_spec=dict(
        connection_argument_spec(),
        recipient=dict(type="str", default=""),
        rate_limit=dict(type="int", default=5),
        retention_days=dict(type="int", default=90),
        language=dict(type="str", default="", choices=[""] + list(FORM_LANGUAGES)),
        texts=dict(type="dict", default={}),
    ),
    supports_check_mode=True,
)


def desired(params):
    """The settings to store, validated as the connector validates them."""
    recipient = (params["recipient"] or "").strip()
    if recipient and (len(recipient) > 254 or not EMAIL.match(recipient)):
        raise SpecError("recipient", "an e-mail address (or empty for the administrator's) expected, got %r" % recipient)
    for key in ("rate_limit", "retention_days"):
        if not 0 <= params[key] <= FORM_LIMITS[key]:
            raise SpecError(key, "a whole number 0..%d expected, got %d" % (FORM_LIMITS[key], params[key]))
    texts = {}
    for key, text in sorted((params["texts"] or {}).items()):
        if key not in FORM_TEXTS:
            raise SpecError("texts.%s" % key, "unknown text (known: %s)" % ", ".join(FORM_TEXTS))
        if not isinstance(text, str) or not text.strip() or len(text.encode()) > MAX_FORM_TEXT:
            raise SpecError("texts.%s" % key, "a text of 1 to %d bytes expected" % MAX_FORM_TEXT)
        texts[key] = text
    return {"recipient": recipient, "rate_limit": params["rate_limit"], "retention_days": params["retention_days"],
            "language": params["language"] or "", "texts": texts}


def run(ctx):
    wanted = desired(ctx.params)
    client = client_for(ctx)
    # an old connector's error comes first (its missing route would fail the second read)
    form = parallel(lambda: client.connector_status(CONNECTOR_VERSION, "the contact form"), client.contact_form)[1]
    current = dict(form["settings"], texts=dict(form["settings"].get("texts") or {}))
    changed = current != wanted
    after = wanted
    if changed and not ctx.check_mode:
        form = client.update_contact_form(wanted)
        after = dict(form["settings"], texts=dict(form["settings"].get("texts") or {}))
    return {"changed": changed, "settings": after, "language": after["language"] or form["site_language"],
            "diff": {"before": current, "after": after}}


def main():
    runner.main(AnsibleModule(**SPEC), run)


if __name__ == "__main__":
    main()
