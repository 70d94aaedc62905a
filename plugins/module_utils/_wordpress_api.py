# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The REST resources the WordPress modules manage, as typed methods of the WordPress client.

``WordPressClient`` (``_wordpress.py``: transport, authentication, the connector, the installer) inherits
these methods: the routes of WordPress's core API (``/wp/v2/...``) and their parameters live here, not in
the modules. Each call keeps the operation name that error messages show.
"""

from __future__ import annotations

from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError

PAGES = "/wp/v2/pages"
POSTS = "/wp/v2/posts"
MEDIA = "/wp/v2/media"
USERS = "/wp/v2/users"
PLUGINS = "/wp/v2/plugins"
THEMES = "/wp/v2/themes"
SETTINGS = "/wp/v2/settings"
MENUS = "/wp/v2/menus"
MENU_ITEMS = "/wp/v2/menu-items"
NAVIGATION = "/wp/v2/navigation"
TEMPLATE_PARTS = "/wp/v2/template-parts"
TEMPLATES = "/wp/v2/templates"
APPLICATION_PASSWORDS = "/wp/v2/users/me/application-passwords"
CONNECTOR_PLUGIN_UPLOAD = "/fabrik/v1/plugins/upload"
FORCE = {"force": "true"}


def _member(collection, item_id=None):
    return collection if item_id is None else "%s/%s" % (collection, item_id)


def _kind(route):
    """What a route's items are called in messages: page or post."""
    return "post" if route == POSTS else "page"


class WordPressApi:
    """Typed calls on ``self.rest``, ``self.list_all``, ``self.upload`` and ``self.connector``."""

    # -- themes

    def active_theme(self, fields=None):
        """The active theme's record, {} when the API lists none."""
        params = {"status": "active"}
        if fields:
            params["_fields"] = fields
        themes = self.rest("GET", THEMES, "read active theme", params=params)
        return themes[0] if themes else {}

    def installed_stylesheets(self):
        return {theme["stylesheet"] for theme in self.rest("GET", THEMES, "list themes",
                                                           params={"_fields": "stylesheet"})}

    def global_styles(self, styles_id):
        return self.rest("GET", _member("/wp/v2/global-styles", styles_id), "read global styles",
                         params={"context": "edit"})

    def theme_global_styles(self, stylesheet):
        return self.rest("GET", "/wp/v2/global-styles/themes/%s" % stylesheet, "read theme styles")

    def update_global_styles(self, styles_id, settings, styles=None):
        """Write the user's global styles: ``settings`` (palette, fonts ...) and, when given, ``styles``."""
        body = {"settings": settings}
        if styles is not None:
            body["styles"] = styles
        return self.rest("POST", _member("/wp/v2/global-styles", styles_id), "update global styles", json=body)

    # -- plugins

    def plugins(self, fields):
        return self.rest("GET", PLUGINS, "list plugins", params={"_fields": fields})

    def install_plugin(self, slug):
        """Install a plugin of wordpress.org by slug."""
        return self.rest("POST", PLUGINS, "install plugin %s" % slug, json={"slug": slug})

    def install_plugin_from_url(self, slug, url):
        """Install a plugin package the site downloads (through the fabrik connector)."""
        return self.connector("POST", "plugins/upload", "install plugin %s" % slug, params={"url": url})

    def upload_plugin(self, slug, filename, content):
        """Install a plugin package (zip) sent from the controller (through the fabrik connector)."""
        return self.upload(CONNECTOR_PLUGIN_UPLOAD, filename, content, "application/zip", "install plugin %s" % slug)

    def plugin_sources(self, slugs):
        """Per slug, whether the plugin is installed and else whether the site can download it from wordpress.org
        (``{slug: {installed, downloadable, version, error}}``, through the connector); None when the connector
        cannot tell (older than 1.1)."""
        try:
            return self.connector("GET", "plugins/sources", "check plugin sources", params={"slugs": ",".join(slugs)})
        except ApiError as err:
            if err.status == 404:
                return None
            raise

    def set_plugin_status(self, plugin_file, status):
        return self.rest("PUT", _member(PLUGINS, plugin_file), "set plugin %s %s" % (plugin_file, status),
                         json={"status": status})

    def delete_plugin(self, plugin_file):
        self.rest("DELETE", _member(PLUGINS, plugin_file), "delete plugin %s" % plugin_file)

    # -- settings

    def settings(self):
        return self.rest("GET", SETTINGS, "read settings")

    def update_settings(self, changes, operation="update settings"):
        return self.rest("POST", SETTINGS, operation, json=changes)

    # -- pages

    # ``route``: PAGES, or POSTS for the same calls on posts.

    def pages(self, operation=None, route=PAGES, **params):
        """Every page matching ``params`` (``status``, ``slug``, ``context``, ``_fields``...), all result pages."""
        return self.list_all(route, operation or "list %ss" % _kind(route), params=params)

    def create_page(self, slug, body, route=PAGES):
        return self.rest("POST", route, "create %s %s" % (_kind(route), slug), json=dict(body, slug=slug),
                         params={"context": "edit"})

    def update_page(self, page_id, slug, changes, route=PAGES):
        return self.rest("POST", _member(route, page_id), "update %s %s" % (_kind(route), slug), json=changes,
                         params={"context": "edit"})

    def trash_page(self, page_id, slug, route=PAGES):
        self.rest("DELETE", _member(route, page_id), "trash %s %s" % (_kind(route), slug))

    def delete_page(self, page_id, slug, route=PAGES):
        """Delete for good (not to the trash): a duplicate this run has just made."""
        self.rest("DELETE", _member(route, page_id), "delete duplicate %s %s" % (_kind(route), slug), params=FORCE)

    # -- media

    def media(self, operation="list media", **params):
        return self.list_all(MEDIA, operation, params=params)

    def upload_media(self, filename, content, content_type, operation, **params):
        return self.upload(MEDIA, filename, content, content_type, operation, params=params)

    def update_media(self, media_id, changes, operation, **params):
        return self.rest("POST", _member(MEDIA, media_id), operation, json=changes, params=params)

    def delete_media(self, media_id, name):
        """Delete for good (attachments have no trash): a second copy of a file a concurrent run uploaded too."""
        self.rest("DELETE", _member(MEDIA, media_id), "delete duplicate upload of %s" % name, params=FORCE)

    # -- users

    def users(self, fields):
        return self.list_all(USERS, "list users", params={"context": "edit", "_fields": fields})

    def create_user(self, username, body, fields):
        return self.rest("POST", USERS, "create user %s" % username, json=body, params={"_fields": fields})

    def update_user(self, user_id, username, changes, fields):
        return self.rest("POST", _member(USERS, user_id), "update user %s" % username, json=changes,
                         params={"_fields": fields, "context": "edit"})

    def delete_user(self, user_id, username, reassign_to):
        self.rest("DELETE", _member(USERS, user_id), "delete user %s" % username,
                  params=dict(FORCE, reassign=reassign_to))

    # -- application passwords of the authenticated user

    def application_passwords(self):
        return self.rest("GET", APPLICATION_PASSWORDS, "list application passwords")

    def delete_application_password(self, uuid):
        self.rest("DELETE", _member(APPLICATION_PASSWORDS, uuid), "delete application password")

    def create_application_password(self, name):
        return self.rest("POST", APPLICATION_PASSWORDS, "create application password", json={"name": name})

    # -- classic menus (nav menus, their items, the theme's locations)

    def menus(self):
        return self.list_all(MENUS, "list menus", params={"context": "edit"})

    def menu_locations(self):
        return self.rest("GET", "/wp/v2/menu-locations", "list menu locations") or {}

    def save_menu(self, menu_id, name, body):
        """Create (``menu_id`` None) or update a nav menu."""
        return self.rest("POST", _member(MENUS, menu_id), "save menu %s" % name, json=body)

    def delete_menu(self, menu_id, name):
        self.rest("DELETE", _member(MENUS, menu_id), "delete menu %s" % name, params=FORCE)

    def menu_items(self, menu_id, menu_name):
        return self.list_all(MENU_ITEMS, "list menu items of %s" % menu_name,
                             params={"menus": menu_id, "context": "edit"})

    def save_menu_item(self, item_id, body):
        """Create (``item_id`` None) or update a menu item."""
        operation = "create menu item" if item_id is None else "update menu item"
        return self.rest("POST", _member(MENU_ITEMS, item_id), operation, json=body)

    def delete_menu_item(self, item_id):
        self.rest("DELETE", _member(MENU_ITEMS, item_id), "delete menu item", params=FORCE)

    # -- the fabrik connector's settings (its /fabrik/v1 routes; status and installs above and in _wordpress.py)

    def options(self, operation="read options"):
        """The site options and head settings the connector manages."""
        return self.connector("GET", "options", operation)

    def update_options(self, changes, operation="update options"):
        return self.connector("POST", "options", operation, json=changes)

    def theme_mods(self):
        return self.connector("GET", "theme-mods", "read theme mods") or {}

    def update_theme_mods(self, changes):
        return self.connector("POST", "theme-mods", "update theme mods", json=changes) or {}

    def contact_form(self):
        """The connector's contact form: ``settings`` (recipient, rate_limit, retention_days, language, texts),
        ``effective_language`` and ``admin_email``."""
        return self.connector("GET", "contact-form", "read contact form")

    def update_contact_form(self, settings):
        """Replace the contact form's settings (a setting left out takes its default); the form as read after."""
        return self.connector("POST", "contact-form", "update contact form", json=settings)

    def activate_theme(self, stylesheet):
        """Switch the theme; the connector's status afterwards."""
        return self.connector("POST", "theme", "activate theme", json={"stylesheet": stylesheet})

    # -- navigation menus of block themes (wp_navigation posts)

    def navigation_menus(self):
        return self.list_all(NAVIGATION, "list navigation menus", params={"context": "edit", "status": "publish,draft"})

    def save_navigation(self, menu_id, body, operation):
        """Create (``menu_id`` None) or update a navigation menu."""
        return self.rest("POST", _member(NAVIGATION, menu_id), operation, json=body)

    def trash_navigation(self, menu_id, title):
        self.rest("DELETE", _member(NAVIGATION, menu_id), "trash navigation %s" % title)

    # -- template parts of block themes

    def template_parts(self):
        """The active theme's template parts (its files and the site's own versions of them)."""
        return self.rest("GET", TEMPLATE_PARTS, "list template parts", params={
            "context": "edit", "per_page": 100, "_fields": "id,theme,slug,source,content,area"}) or []

    def save_template_part(self, part_id, slug, content):
        """Store the site's version of a part (``<theme>//<slug>``), as the Site Editor saves one."""
        return self.rest("POST", _member(TEMPLATE_PARTS, part_id), "save template part %s" % slug,
                         json={"content": content})

    def create_template_part(self, slug, body):
        return self.rest("POST", TEMPLATE_PARTS, "create template part %s" % slug, json=dict(body, slug=slug))

    def delete_template_part(self, part_id, slug):
        """Delete the site's version of a part: the theme's file shows again."""
        self.rest("DELETE", _member(TEMPLATE_PARTS, part_id), "revert template part %s" % slug, params=FORCE)

    # -- templates of block themes (the same calls on /wp/v2/templates)

    def templates(self):
        """The active theme's templates (its files and the site's own ones)."""
        return self.rest("GET", TEMPLATES, "list templates", params={
            "context": "edit", "per_page": 100, "_fields": "id,theme,slug,source,content"}) or []

    def save_template(self, template_id, slug, content):
        return self.rest("POST", _member(TEMPLATES, template_id), "save template %s" % slug, json={"content": content})

    def create_template(self, slug, body):
        return self.rest("POST", TEMPLATES, "create template %s" % slug, json=dict(body, slug=slug))

    def delete_template(self, template_id, slug):
        self.rest("DELETE", _member(TEMPLATES, template_id), "revert template %s" % slug, params=FORCE)
