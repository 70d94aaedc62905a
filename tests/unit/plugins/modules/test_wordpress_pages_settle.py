"""wordpress_pages' PageWriter after a create: a page a concurrent run of the site created meanwhile.

WordPress' unique-slug check and its insert are not one step, so two creates at the same moment can both
keep the slug; a sandbox cannot order that race, hence a client that answers as WordPress did in it."""

from ansible_collections.fabrik.deploy.plugins.module_utils._wordpress_api import PAGES
from ansible_collections.fabrik.deploy.plugins.modules.wordpress_pages import PageWriter


class RacedClient:
    """Answers the read after a create with the pages ``holding`` the slug; records the writes."""

    def __init__(self, created, holding):
        self.created = created
        self.holding = holding
        self.calls = []

    def create_page(self, slug, body, route=PAGES):
        self.calls.append(("create", slug))
        return dict(self.created)

    def pages(self, operation, route=PAGES, **params):
        self.calls.append(("read", params["slug"]))
        return [dict(page) for page in self.holding]

    def delete_page(self, page_id, slug, route=PAGES):
        self.calls.append(("delete", page_id))

    def update_page(self, page_id, slug, changes, route=PAGES):
        self.calls.append(("update", page_id, tuple(sorted(changes))))
        return {"id": page_id, "slug": slug}


def save(client):
    writer = PageWriter(client, {}, PAGES)
    return writer.save("terms", None, {"slug": "terms", "title": "Terms", "status": "publish"}), writer.notes


def test_both_kept_the_slug_and_ours_is_newer_ours_goes():
    client = RacedClient({"id": 11, "slug": "terms"}, [{"id": 10, "slug": "terms"}, {"id": 11, "slug": "terms"}])
    saved, notes = save(client)
    assert saved == {"id": 10, "slug": "terms"}
    assert client.calls == [("create", "terms"), ("read", "terms"), ("delete", 11),
                            ("update", 10, ("status", "title"))]
    assert notes == ["page terms was created by a concurrent run too: kept the oldest (id 10), deleted this run's "
                     "(id 11)"]


def test_both_kept_the_slug_and_ours_is_older_ours_stays():
    client = RacedClient({"id": 10, "slug": "terms"}, [{"id": 10, "slug": "terms"}, {"id": 11, "slug": "terms"}])
    saved, notes = save(client)
    assert saved == {"id": 10, "slug": "terms"} and notes == []
    assert client.calls == [("create", "terms"), ("read", "terms")]


def test_wordpress_gave_ours_another_slug_the_holder_wins():
    client = RacedClient({"id": 12, "slug": "terms-2"}, [{"id": 13, "slug": "terms"}])
    saved, _notes = save(client)
    assert saved["id"] == 13 and ("delete", 12) in client.calls


def test_alone_nothing_to_settle_and_nothing_read_in_check_mode():
    alone = RacedClient({"id": 10, "slug": "terms"}, [{"id": 10, "slug": "terms"}])
    assert save(alone)[0] == {"id": 10, "slug": "terms"} and alone.calls[-1] == ("read", "terms")
    planned = RacedClient({}, [])
    assert save(planned)[0] == {} and planned.calls == [("create", "terms")]


def test_a_draft_duplicate_the_concurrent_run_trashed_first_is_settled():
    from types import SimpleNamespace

    from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError
    from ansible_collections.fabrik.deploy.plugins.modules.wordpress_pages import settle_duplicates

    def trash_page(page_id, slug, route=PAGES):
        raise ApiError("WordPress", "trash page %s" % slug, "DELETE", "/wp-json/wp/v2/pages/%d" % page_id, status=410,
                       message="rest_already_trashed: The post has already been deleted.")

    ctx = SimpleNamespace(check_mode=False, warnings=[])
    ctx.warn = ctx.warnings.append
    page = {"id": 3, "duplicates": [{"id": 6, "status": "draft"}]}
    settle_duplicates(ctx, SimpleNamespace(trash_page=trash_page), "privacy-policy", page)
    assert ctx.warnings == ["pages 3 (the oldest, kept) and 6 (draft) have the slug 'privacy-policy': the draft was "
                            "trashed"]
