"""The fabrik connector's contact form, submitted over real HTTP to the sandbox's real WordPress.

A visitor GETs the contact page, the test parses the form (its nonce) and POSTs it as a browser would, follows the
redirect and reads the stored message back over REST as the administrator; PHP's mail goes to the sandbox's mail
directory (its ``sendmail_path`` writes each message to a file), so the e-mail is read back too. The honeypot, the
nonce, the rate limit and each validation error are tried; the settings come from ``wordpress_contact_form``
(check mode, diff, idempotence) and the page from ``wordpress_pages`` (a ``contact-form`` section). Runs on 6.8
and, in ``make wordpress-compat``, on 6.1.
"""

import html
import re
import time
import zipfile

import pytest
import requests

from ansible_collections.fabrik.deploy.plugins.modules import wordpress_contact_form, wordpress_pages, wordpress_plugins
from tests.integration.contact_form import (
    FIELDS,
    HONEYPOT,
    NONCE,
    SUCCESS,
    parse_form,
    post_form,
    read_form,
    stored_submissions,
)
from tests.integration.modules.wordpress_harness import (
    ADMIN,
    HTTP_TIMEOUT,
    NEEDS_WORDPRESS,
    installed_wordpress,
    module_runner,
    record_requests,
    writes,
)

SITE_TITLE = "Fabrik & Forms"
RECIPIENT = "office@acme.example"
SETTINGS = {"recipient": RECIPIENT, "rate_limit": 0, "retention_days": 90, "language": "", "texts": {}}
HOSTILE_MESSAGE = ('<script>alert("x")</script> [gallery] [video src=x.mp4] back\\slash \'quotes\' "double"\n'
                   "second line, 😀 Привет мир, مرحبا")
PAGES = [
    {"slug": "contact", "title": "Contact", "sections": [
        {"type": "contact", "headline": "Get in touch", "email": "hello@acme.example"},
        {"type": "contact-form", "headline": "Write to us"}]},
    {"slug": "plugin-form", "title": "Plugin form", "sections": [
        {"type": "contact-form", "provider": "contact-form-7"}]},
]
# A stand-in for Contact Form 7 (its real directory, main file and shortcode; its forms' post type), which
# prints a marker with the form it was asked for: the handover is what is tested, not Contact Form 7.
CF7_STAND_IN = """<?php
/**
 * Plugin Name: Stand-in for contact-form-7
 * Version: 0.0.1
 */
add_action( 'init', function () {
    register_post_type( 'wpcf7_contact_form', array( 'public' => false ) );
    if ( ! get_posts( array( 'post_type' => 'wpcf7_contact_form', 'numberposts' => 1, 'fields' => 'ids' ) ) ) {
        wp_insert_post( array( 'post_type' => 'wpcf7_contact_form', 'post_status' => 'publish', 'post_title' => 'Form 1' ) );
    }
} );
add_shortcode( 'contact-form-7', function ( $atts ) {
    return '<form class="wpcf7-stand-in" data-form="' . (int) $atts['id'] . '"></form>';
} );
"""
MU_PLUGIN_FRENCH = "<?php\nadd_filter( 'locale', function () { return 'fr_FR'; } );\n"
MU_PLUGIN_NO_MAIL = "<?php\nadd_filter( 'pre_wp_mail', '__return_false' );\n"

pytestmark = NEEDS_WORDPRESS


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An installed sandbox WordPress with the connector, and the admin's application password."""
    with installed_wordpress(tmp_path_factory, SITE_TITLE, connector=True) as installed:
        yield installed


@pytest.fixture
def sent(monkeypatch):
    return record_requests(monkeypatch, keep_query=False)


@pytest.fixture
def run(site, monkeypatch, sent):
    wordpress, app_password = site
    return module_runner(monkeypatch, lambda: {"url": wordpress.url, "username": ADMIN, "app_password": app_password},
                         lambda: (app_password,), log=sent)


@pytest.fixture
def form_site(site, run):
    """The site with the contact pages and the form's settings (no rate limit); the mails so far forgotten."""
    wordpress, _password = site
    result = run(wordpress_pages, pages=PAGES)
    assert not result["failed"], result
    assert not run(wordpress_contact_form, **SETTINGS)["failed"]
    wordpress.clear_mails()
    return site


def page_url(site, slug="contact"):
    return site[0].url + "/%s/" % slug


def submissions(site):
    wordpress, password = site
    return stored_submissions(wordpress.url, (ADMIN, password))


def mu_plugin(site, name, code):
    path = site[0].mu_plugins_dir / name
    path.write_text(code)
    return path


# ------------------------------------------------------------------ the settings


def test_settings_are_planned_then_stored_then_left_alone(site, run, sent):
    wanted = {"recipient": "sales@acme.example", "rate_limit": 3, "retention_days": 30, "language": "de",
              "texts": {"submit": "Abschicken", "success": "Danke!"}}
    run(wordpress_contact_form)  # the defaults
    planned = run(wordpress_contact_form, check_mode=True, **wanted)
    assert planned["changed"] is True and writes(sent) == []
    assert planned["diff"]["before"]["rate_limit"] == 5 and planned["diff"]["after"] == wanted
    assert planned["language"] == "de"
    done = run(wordpress_contact_form, **wanted)
    assert done["changed"] is True and done["settings"] == wanted and done["language"] == "de"
    assert writes(sent) == [("POST", "/wp-json/fabrik/v1/contact-form")]
    again = run(wordpress_contact_form, **wanted)
    assert again["changed"] is False and writes(sent) == []
    back = run(wordpress_contact_form)
    assert back["changed"] is True and back["settings"] == dict(SETTINGS, recipient="", rate_limit=5)
    assert back["language"] == "en"


@pytest.mark.parametrize("args, message", [
    ({"recipient": "not an address"}, "recipient: an e-mail address"),
    ({"rate_limit": 1001}, "rate_limit: a whole number 0..1000"),
    ({"retention_days": -1}, "retention_days: a whole number 0..3650"),
    ({"texts": {"sumbit": "Go"}}, "texts.sumbit: unknown text"),
    ({"texts": {"submit": "   "}}, "texts.submit: a text of 1 to 500 bytes"),
])
def test_bad_settings_are_refused_before_any_request(site, run, sent, args, message):
    result = run(wordpress_contact_form, **args)
    assert result["failed"] is True and result["msg"].startswith(message), result["msg"]
    assert sent == []


def test_the_connector_validates_the_settings_too(site):
    wordpress, password = site
    for body, text in (({"rate_limit": "5"}, "rate_limit: a whole number"), ({"colour": "red"}, "colour: unknown"),
                       ({"texts": {"submit": 3}}, "texts.submit: a text"), ({"language": "xx"}, "language:")):
        answer = requests.post(wordpress.url + "/wp-json/fabrik/v1/contact-form", json=body,
                               auth=(ADMIN, password), timeout=HTTP_TIMEOUT)
        assert answer.status_code == 400 and text in answer.json()["message"], answer.text


# ------------------------------------------------------------------ a message sent


def test_a_message_is_stored_mailed_and_confirmed_once(form_site):
    wordpress = form_site[0]
    visitor = requests.Session()
    form = read_form(visitor, page_url(form_site))
    assert form["action"] == page_url(form_site) + "#fabrik-contact"
    assert form["fields"][NONCE] and form["fields"][HONEYPOT] == ""
    before = len(submissions(form_site))

    answer = post_form(visitor, form, page_url(form_site), name="Ada Lovelace", email="ada@example.com",
                       message=HOSTILE_MESSAGE)
    assert answer.status_code == 303
    assert answer.headers["Location"] == page_url(form_site) + "?fabrik_contact=sent#fabrik-contact"
    confirmation = visitor.get(answer.headers["Location"], timeout=HTTP_TIMEOUT)
    shown = parse_form(confirmation.text)
    assert shown["action"] is None and shown["notices"] == [SUCCESS + " Send another message"]
    assert 'role="status"' in confirmation.text
    # a reload of the confirmation sends nothing again
    assert visitor.get(answer.headers["Location"], timeout=HTTP_TIMEOUT).status_code == 200

    stored = submissions(form_site)
    assert len(stored) == before + 1
    meta = stored[0]["meta"]
    assert (meta["fabrik_name"], meta["fabrik_email"], meta["fabrik_message"]) == (
        "Ada Lovelace", "ada@example.com", HOSTILE_MESSAGE)
    assert meta["fabrik_page"] == page_url(form_site) and meta["fabrik_mail"] == "sent"
    assert stored[0]["status"] == "private"

    mails = wordpress.mails()
    assert len(mails) == 1
    mail = mails[0]
    assert mail["to"] == RECIPIENT and mail["reply_to"] == "ada@example.com"
    assert mail["subject"] == "[%s] Message from Ada Lovelace" % SITE_TITLE
    assert "Name: Ada Lovelace\nE-mail: ada@example.com\nPage: %s\n\n" % page_url(form_site) in mail["body"]
    assert HOSTILE_MESSAGE in mail["body"]


def test_the_page_is_the_contact_form_section_with_labelled_fields(form_site):
    text = requests.get(page_url(form_site), timeout=HTTP_TIMEOUT).text
    form = parse_form(text)
    for field, label in (("name", "Name"), ("email", "E-mail"), ("message", "Message")):
        attributes = form["attributes"][FIELDS[field]]
        assert re.search(r'<label for="%s">%s<' % (attributes["id"], label), text), field
        assert "required" in attributes
    assert form["attributes"][FIELDS["email"]]["type"] == "email"
    assert form["attributes"][HONEYPOT]["tabindex"] == "-1"
    assert '<h2 class="wp-block-heading">Write to us</h2>' in text or "<h2>Write to us</h2>" in text
    assert "[fabrik_contact_form]" not in text  # the shortcode ran


def test_a_filled_honeypot_is_told_it_worked_and_nothing_is_kept(form_site):
    visitor = requests.Session()
    before = len(submissions(form_site))
    form = read_form(visitor, page_url(form_site))
    answer = post_form(visitor, form, page_url(form_site), name="Bot", email="bot@example.com",
                       message="Buy now", **{HONEYPOT: "https://spam.example"})
    assert answer.status_code == 303 and "fabrik_contact=sent" in answer.headers["Location"]
    assert len(submissions(form_site)) == before
    assert form_site[0].mails() == []


@pytest.mark.parametrize("nonce", ["0123456789", None], ids=["forged", "missing"])
def test_a_bad_nonce_asks_to_send_again_keeping_the_text(form_site, nonce):
    visitor = requests.Session()
    before = len(submissions(form_site))
    form = read_form(visitor, page_url(form_site))
    answer = post_form(visitor, form, page_url(form_site), name="Ada", email="ada@example.com",
                       message="Kept <b>as typed</b>", **{NONCE: nonce})
    assert answer.status_code == 400
    shown = parse_form(answer.text)
    assert shown["notices"] == ["The form had expired. Please send it again."]
    assert shown["fields"][FIELDS["message"]] == "Kept <b>as typed</b>"
    assert "Kept &lt;b&gt;as typed&lt;/b&gt;" in answer.text
    assert shown["fields"][NONCE] and shown["fields"][NONCE] != nonce  # a fresh nonce to send again with
    assert len(submissions(form_site)) == before and form_site[0].mails() == []
    # sent again as it is shown, it goes through
    assert post_form(visitor, shown, page_url(form_site), name="Ada", email="ada@example.com",
                     message="Kept <b>as typed</b>").status_code == 303


@pytest.mark.parametrize("values, errors", [
    ({"name": "", "email": "ada@example.com", "message": "Hi"}, {"name": "Please enter your name."}),
    ({"name": "Ada", "email": "", "message": "Hi"}, {"email": "Please enter your e-mail address."}),
    ({"name": "Ada", "email": "ada@@example", "message": "Hi"},
     {"email": "Please enter a valid e-mail address, such as name@example.com."}),
    ({"name": "Ada", "email": "ada@example.com", "message": "  \n "}, {"message": "Please enter your message."}),
    ({"name": "A" * 101, "email": "ada@example.com", "message": "x" * 5001},
     {"name": "Name is too long: at most 100 characters.", "message": "Message is too long: at most 5000 characters."}),
    ({"name": '"><script>alert(1)</script>', "email": "x\r\nBcc: victim@example.com", "message": "Hi"},
     {"email": "Please enter a valid e-mail address, such as name@example.com."}),
], ids=["no-name", "no-email", "bad-email", "blank-message", "too-long", "injection"])
def test_invalid_input_shows_each_problem_and_keeps_what_was_typed(form_site, values, errors):
    visitor = requests.Session()
    before = len(submissions(form_site))
    form = read_form(visitor, page_url(form_site))
    answer = post_form(visitor, form, page_url(form_site), **values)
    assert answer.status_code == 400
    shown = parse_form(answer.text)
    assert shown["errors"] == {"fabrik-contact-%s-error" % field: text for field, text in errors.items()}
    assert shown["notices"] == ["Your message was not sent. Please correct the following: " + " ".join(errors.values())]
    for field, value in values.items():
        kept = shown["fields"][FIELDS[field]]
        assert kept == value.replace("\r\n", "\n"), field
        attributes = shown["attributes"][FIELDS[field]]
        assert ("aria-invalid" in attributes) == (field in errors), field
        if field in errors:
            assert attributes["aria-describedby"] == "fabrik-contact-%s-error" % field
    assert "<script>alert(1)</script>" not in answer.text
    assert len(submissions(form_site)) == before and form_site[0].mails() == []


def test_the_rate_limit_answers_429_after_the_allowed_posts_per_minute(form_site, run):
    assert not run(wordpress_contact_form, **dict(SETTINGS, rate_limit=2))["failed"]
    try:
        before = len(submissions(form_site))
        visitor = requests.Session()
        form = read_form(visitor, page_url(form_site))
        answers = [post_form(visitor, form, page_url(form_site), name="Ada", email="ada@example.com",
                             message="Message %d" % number) for number in range(3)]
        assert [answer.status_code for answer in answers] == [303, 303, 429]
        assert answers[2].headers["Retry-After"] == "60"
        shown = parse_form(answers[2].text)
        assert shown["notices"] == ["Too many messages were sent from your connection. Please wait a minute and try "
                                    "again."]
        assert shown["fields"][FIELDS["message"]] == "Message 2"
        assert [item["meta"]["fabrik_message"] for item in submissions(form_site)[:2]] == ["Message 1", "Message 0"]
        assert len(submissions(form_site)) == before + 2
    finally:
        assert not run(wordpress_contact_form, **SETTINGS)["failed"]


def test_a_message_is_kept_even_when_the_mail_fails(form_site):
    plugin = mu_plugin(form_site, "fabrik-test-no-mail.php", MU_PLUGIN_NO_MAIL)
    try:
        visitor = requests.Session()
        form = read_form(visitor, page_url(form_site))
        answer = post_form(visitor, form, page_url(form_site), name="Ada", email="ada@example.com", message="Lost?")
    finally:
        plugin.unlink()
    assert answer.status_code == 303
    latest = submissions(form_site)[0]["meta"]
    assert (latest["fabrik_message"], latest["fabrik_mail"]) == ("Lost?", "failed")


def test_messages_older_than_the_retention_are_deleted(form_site, run):
    wordpress, password = form_site
    visitor = requests.Session()
    form = read_form(visitor, page_url(form_site))
    assert post_form(visitor, form, page_url(form_site), name="Old", email="old@example.com",
                     message="From long ago").status_code == 303
    old = submissions(form_site)[0]
    backdated = requests.post("%s/wp-json/wp/v2/fabrik-submissions/%d" % (wordpress.url, old["id"]),
                              json={"date_gmt": "2020-01-01T00:00:00"}, auth=(ADMIN, password), timeout=HTTP_TIMEOUT)
    assert backdated.status_code == 200, backdated.text
    assert not run(wordpress_contact_form, **dict(SETTINGS, retention_days=1))["failed"]
    try:
        assert post_form(visitor, read_form(visitor, page_url(form_site)), page_url(form_site), name="New",
                         email="new@example.com", message="Today").status_code == 303
    finally:
        assert not run(wordpress_contact_form, **SETTINGS)["failed"]
    ids = [item["id"] for item in submissions(form_site)]
    assert old["id"] not in ids and submissions(form_site)[0]["meta"]["fabrik_name"] == "New"


def test_only_administrators_read_the_messages(form_site, site):
    wordpress = site[0]
    anonymous = requests.get(wordpress.url + "/wp-json/wp/v2/fabrik-submissions", params={"status": "private"},
                             timeout=HTTP_TIMEOUT)
    assert anonymous.status_code in (400, 401), anonymous.text
    listed = requests.get(wordpress.url + "/wp-json/wp/v2/fabrik-submissions", timeout=HTTP_TIMEOUT)
    assert listed.status_code == 200 and listed.json() == []
    assert "fabrik_submission" not in requests.get(wordpress.url + "/?s=Ada", timeout=HTTP_TIMEOUT).text
    assert requests.get(wordpress.url + "/?post_type=fabrik_submission", timeout=HTTP_TIMEOUT).text.count(
        "ada@example.com") == 0


# ------------------------------------------------------------------ language, enquiries, plugins


def test_the_form_speaks_the_sites_language_or_the_one_set(form_site, run):
    plugin = mu_plugin(form_site, "fabrik-test-french.php", MU_PLUGIN_FRENCH)
    try:
        french = parse_form(requests.get(page_url(form_site), timeout=HTTP_TIMEOUT).text)
        text = requests.get(page_url(form_site), timeout=HTTP_TIMEOUT).text
        assert '>Nom<' in text and '>Envoyer le message<' in text and french["fields"][NONCE]
        assert run(wordpress_contact_form, **dict(SETTINGS, language="de", texts={"submit": "Abschicken"}))["language"] \
            == "de"
        text = requests.get(page_url(form_site), timeout=HTTP_TIMEOUT).text
        assert ">Nachricht<" in text and ">Abschicken<" in text and "Envoyer" not in text
        visitor = requests.Session()
        answer = post_form(visitor, read_form(visitor, page_url(form_site)), page_url(form_site), name="Ada",
                           email="kaputt", message="Hallo")
        assert "Bitte geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com." in html.unescape(answer.text)
    finally:
        plugin.unlink()
        assert not run(wordpress_contact_form, **SETTINGS)["failed"]


def test_an_enquiry_link_fills_in_the_message(form_site):
    shown = read_form(requests.Session(), page_url(form_site) + "?enquiry=Mug+%26+cup+%3Cb%3E")
    assert shown["fields"][FIELDS["message"]] == "I would like to know more about: Mug & cup\n\n"


def test_a_form_plugin_provider_shows_that_plugins_form_while_it_is_active(form_site, run, tmp_path):
    archive = tmp_path / "contact-form-7.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("contact-form-7/wp-contact-form-7.php", CF7_STAND_IN)
    without = requests.get(page_url(form_site, "plugin-form"), timeout=HTTP_TIMEOUT).text
    assert parse_form(without)["action"] and "wpcf7-stand-in" not in without  # the connector's own meanwhile
    plugin = {"slug": "contact-form-7", "src": str(archive)}
    assert not run(wordpress_plugins, plugins=[plugin])["failed"]
    try:
        handed_over = requests.get(page_url(form_site, "plugin-form"), timeout=HTTP_TIMEOUT).text
        assert re.search(r'<form class="wpcf7-stand-in" data-form="\d+">', handed_over)
        assert parse_form(handed_over) is None
    finally:
        assert not run(wordpress_plugins, plugins=[dict(plugin, state="absent")])["failed"]


def test_the_connector_raised_no_php_warning(form_site):
    """Runs last: nothing the tests above made the connector do logged a PHP warning or notice."""
    time.sleep(0.2)
    log = form_site[0].php.log_file.read_text(errors="replace")
    assert [line for line in log.splitlines() if "fabrik-connector" in line] == []
