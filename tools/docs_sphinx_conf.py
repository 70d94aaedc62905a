"""Sphinx configuration of the HTML reference (tools/gen-docs --html copies it in as conf.py).

Builds docs/collection (antsibull-docs' RST of the collection) offline: no intersphinx, no theme
or data from the network. The pages link to a few labels and environment variables of Ansible's own
documentation; intersphinx would resolve them by downloading Ansible's inventory, so they are
resolved here to fixed addresses instead (any other unresolved reference stays a warning, and
tools/gen-docs builds with warnings as errors).
"""

from docutils import nodes

project = "fabrik.deploy"
copyright = "fabrik.deploy contributors"  # pylint: disable=redefined-builtin
extensions = ["sphinx_antsibull_ext"]
root_doc = "index"
pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "alabaster"
html_show_sphinx = False
html_copy_source = False
html_use_index = False
html_domain_indices = False
html_last_updated_fmt = None
default_role = "any"
nitpicky = True

ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/latest/"
ANSIBLE_LABELS = {
    "ansible_configuration_settings": "reference_appendices/config.html",
    "action_plugins": "plugins/action.html",
    "callback_plugins": "plugins/callback.html",
    "common_return_values": "reference_appendices/common_return_values.html",
}


def resolve_ansible_reference(app, env, node, contnode):  # pylint: disable=unused-argument
    """An external link for a known reference into Ansible's documentation, else None."""
    target = node.get("reftarget", "")
    if node.get("refdomain") == "std" and node.get("reftype") == "ref" and target in ANSIBLE_LABELS:
        uri = ANSIBLE_DOCS + ANSIBLE_LABELS[target]
    elif node.get("refdomain") == "std" and node.get("reftype") == "envvar" and target.startswith("ANSIBLE_"):
        uri = ANSIBLE_DOCS + "reference_appendices/config.html#envvar-" + target
    else:
        return None
    reference = nodes.reference("", "", internal=False, refuri=uri)
    reference.append(contnode)
    return reference


def setup(app):
    app.connect("missing-reference", resolve_ansible_reference)
