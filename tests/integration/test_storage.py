"""The storage stage of site.yml (role fabrik.deploy.storage) against the Cloudflare and R2 emulators."""

import hashlib

import pytest

pytest.importorskip("boto3")
pytest.importorskip("moto")

DOMAIN = "site-one.test"
BUCKET = "site-one-test"
R2_SECRET = "sandbox-r2-secret-key"
R2_VARS = {
    "r2_endpoint_url": "http://127.0.0.1:{{ sandbox_port_base | int + 5 }}",
    "r2_access_key_id": "sandboxr2accesskey",
    "r2_secret_access_key": R2_SECRET,
}
LOGO = b"<svg xmlns='http://www.w3.org/2000/svg'><circle r='4'/></svg>"
FAVICON = bytes(range(64))


def playbook(tmp_path):  # pylint: disable=unused-argument
    """The site playbook: it imports every stage's role behind the stage's tag."""
    return "site.yml"


@pytest.fixture()
def assets(tmp_path):
    directory = tmp_path / "assets"
    directory.mkdir()
    (directory / "logo.svg").write_bytes(LOGO)
    (directory / "favicon.ico").write_bytes(FAVICON)
    return directory


def site(assets, **overrides):
    spec = {
        "site_domain": DOMAIN,
        "storage_assets_dir": str(assets),
        "storage_assets": [
            {"src": str(assets / "logo.svg"), "key": "brand/logo.svg"},
            {"src": "favicon.ico", "key": "brand/favicon.ico", "cache_control": "public, max-age=60"},
        ],
    }
    spec.update(overrides)
    return spec


def deploy(sandbox, tmp_path, spec, **kwargs):
    inventory = sandbox.inventory(tmp_path / "inv", {"site-one": spec}, group_vars=R2_VARS)
    return sandbox.playbook(playbook(tmp_path), inventory, tags=["storage"], **kwargs)


def buckets(sandbox):
    return {bucket["name"]: bucket for bucket in sandbox.state("r2")["buckets"]}


def assert_site_stored(sandbox):
    stored = buckets(sandbox)
    assert list(stored) == [BUCKET]
    bucket = stored[BUCKET]
    assert bucket["cors"] == [{"allowed": {"origins": ["https://site-one.test", "https://www.site-one.test"],
                                           "methods": ["GET", "HEAD"]}, "maxAgeSeconds": 3600}]
    objects = {obj["key"]: obj for obj in bucket["objects"]}
    assert sorted(objects) == ["brand/favicon.ico", "brand/logo.svg"]
    logo, favicon = objects["brand/logo.svg"], objects["brand/favicon.ico"]
    assert (logo["etag"], logo["content_type"], logo["cache_control"]) == \
        (hashlib.md5(LOGO).hexdigest(), "image/svg+xml", "public, max-age=86400")
    assert (favicon["etag"], favicon["cache_control"]) == (hashlib.md5(FAVICON).hexdigest(), "public, max-age=60")
    assert favicon["metadata"] == {"sha256": hashlib.sha256(FAVICON).hexdigest()}


def puts(sandbox):
    return [entry for entry in sandbox.writes() if entry["method"] == "PUT"]


def test_check_mode_then_converge_then_rerun_writes_nothing(sandbox, tmp_path, assets):
    planned = deploy(sandbox, tmp_path, site(assets), check=True, diff=True)
    assert planned.rc == 0, planned.explain()
    assert planned.changed > 0
    assert sandbox.writes() == [] and buckets(sandbox) == {}

    run = deploy(sandbox, tmp_path, site(assets), verbosity=1)
    assert run.rc == 0, run.explain() + sandbox.logs()
    assert run.changed == 2
    assert_site_stored(sandbox)
    assert R2_SECRET not in run.output and "sandbox-cloudflare-token" not in run.output
    r2_writes = [(e["method"], e["operation"]) for e in sandbox.writes("r2")]
    assert sorted(r2_writes) == [("PUT", "PutObject"), ("PUT", "PutObject")]

    sandbox.reset_log()
    again = deploy(sandbox, tmp_path, site(assets), diff=True)
    assert again.rc == 0, again.explain()
    assert again.changed == 0, again.explain()
    assert sandbox.writes() == [] and puts(sandbox) == []
    # the preflight proves the R2 key pair with a listing of one key, then the upload task lists the objects
    listings = [(e["operation"], e["query"].get("max-keys")) for e in sandbox.requests("r2")]
    assert sorted(listings) == [("ListObjectsV2", "1"), ("ListObjectsV2", "1000")], listings


def test_a_changed_asset_is_the_only_upload(sandbox, tmp_path, assets):
    assert deploy(sandbox, tmp_path, site(assets)).rc == 0
    (assets / "logo.svg").write_bytes(LOGO.replace(b"4", b"5"))
    sandbox.reset_log()
    run = deploy(sandbox, tmp_path, site(assets))
    assert run.rc == 0 and run.changed == 1, run.explain()
    assert [e["path"] for e in sandbox.writes()] == ["/%s/brand/logo.svg" % BUCKET]


@pytest.mark.parametrize("service, fault", [
    ("cloudflare", {"method": "POST", "path": "/accounts/*/r2/buckets", "status": 500}),
    ("cloudflare", {"method": "POST", "path": "/accounts/*/r2/buckets", "status": 500, "after": True}),
    ("cloudflare", {"method": "PUT", "path": "/accounts/*/r2/buckets/*/cors", "status": 500, "times": 6}),
    ("r2", {"method": "PUT", "path": "/%s/brand/logo.svg" % BUCKET, "status": 500, "times": 3}),
    ("r2", {"method": "PUT", "path": "/%s/brand/favicon.ico" % BUCKET, "status": 500, "times": 3, "after": True}),
])
def test_a_failed_write_then_rerun_converges_without_duplicates(sandbox, tmp_path, assets, service, fault):
    sandbox.fault(service, **fault)
    failed = deploy(sandbox, tmp_path, site(assets))
    assert failed.rc != 0 and failed.failed == 1, failed.explain()
    sandbox.clear_faults()
    rerun = deploy(sandbox, tmp_path, site(assets))
    assert rerun.rc == 0, rerun.explain() + sandbox.logs()
    assert_site_stored(sandbox)
    sandbox.reset_log()
    assert deploy(sandbox, tmp_path, site(assets)).changed == 0
    assert sandbox.writes() == []


def test_a_lost_bucket_creation_response_is_resolved_by_reading_it_back(sandbox, tmp_path, assets):
    sandbox.fault("cloudflare", method="POST", path="/accounts/*/r2/buckets", status=502, after=True)
    run = deploy(sandbox, tmp_path, site(assets))
    assert run.rc == 0, run.explain()
    assert_site_stored(sandbox)
    creations = [e for e in sandbox.writes("cloudflare") if e["method"] == "POST"]
    assert len(creations) == 1


@pytest.mark.parametrize("overrides, message", [
    ({"storage_bucket": "Site_One"}, "3..63 lowercase letters"),
    ({"storage_bucket": "ab"}, "3..63 lowercase letters"),
    # the preflight names the variable the CORS rule was made of
    ({"storage_cors_methods": ["GET", "PATCH"]}, "storage_cors_methods: R2 allows"),
    ({"storage_cors_origins": ["site-one.test/path"]}, "storage_cors_origins: an origin such as"),
    ({"storage_cors_max_age": 999999}, "storage_cors_max_age: 0..86400 expected"),
    ({"storage_location_hint": "moon"}, "location_hint"),
    ({"storage_jurisdiction": "mars"}, "jurisdiction"),
    ({"storage_assets": [{"src": "missing.svg", "key": "brand/missing.svg"}]}, "missing.svg"),
    ({"storage_assets": [{"src": "favicon.ico"}]}, "storage_assets[0].key"),
])
def test_bad_input_fails_before_any_write(sandbox, tmp_path, assets, overrides, message):
    run = deploy(sandbox, tmp_path, site(assets, **overrides))
    assert run.rc != 0, run.explain()
    assert message in run.output, run.explain()
    assert sandbox.writes() == []
    assert buckets(sandbox) == {}
