"""r2_bucket, r2_object and r2_info main() against the Cloudflare and R2 emulators, served in-process."""

import hashlib
import json

import pytest
import requests
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

pytest.importorskip("boto3")
pytest.importorskip("moto")

from ansible_collections.fabrik.deploy.plugins.modules import r2_bucket, r2_info, r2_object  # noqa: E402
from tests.sandbox.base import SharedState  # noqa: E402
from tests.sandbox.cloudflare import SANDBOX_ACCOUNT_ID, SANDBOX_TOKEN, CloudflareEmulator  # noqa: E402
from tests.sandbox.framework import SandboxApp, serve  # noqa: E402
from tests.sandbox.r2 import SANDBOX_ACCESS_KEY, SANDBOX_SECRET_KEY, R2Emulator  # noqa: E402

BUCKET = "site-test"
SITE_CORS = [{"allowed_origins": ["https://site.test"], "allowed_methods": ["GET", "HEAD"], "max_age_seconds": 3600}]


class Service:
    def __init__(self, root):
        self.root = root

    def control(self, method, path, body=None):
        response = requests.request(method, "%s/_sandbox/%s" % (self.root, path), json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def writes(self):
        return [(e["method"], e["path"]) for e in self.control("GET", "requests") if e["method"] not in ("GET", "HEAD")]

    def forget(self):
        self.control("DELETE", "requests")


class Sandbox:
    def __init__(self, cloudflare, r2):
        self.cloudflare = cloudflare
        self.r2 = r2

    def writes(self):
        return self.cloudflare.writes() + self.r2.writes()

    def forget(self):
        self.cloudflare.forget()
        self.r2.forget()

    def bucket(self, name=BUCKET):
        found = [b for b in self.r2.control("GET", "state")["buckets"] if b["name"] == name]
        return found[0] if found else None


@pytest.fixture(scope="module")
def served():
    shared = SharedState()
    apps = [SandboxApp(CloudflareEmulator(shared)), SandboxApp(R2Emulator(shared))]
    servers = [serve(app) for app in apps]
    roots = ["http://127.0.0.1:%d" % server.server_port for server in servers]
    yield Sandbox(Service(roots[0]), Service(roots[1]))
    for app, server in zip(apps, servers):
        app.close()
        server.shutdown()


@pytest.fixture
def sandbox(served):
    for service in (served.cloudflare, served.r2):
        service.control("POST", "reset")
    yield served
    assert served.cloudflare.control("GET", "violations") == []


class ModuleExit(Exception):
    def __init__(self, result):
        super().__init__(result.get("msg", ""))
        self.result = result


@pytest.fixture
def run(monkeypatch, sandbox):
    """run(module, check=False, diff=False, **args) -> the module's result (``failed`` set on failure)."""

    def exit_json(_module, **result):
        raise ModuleExit(result)

    def fail_json(_module, msg, **result):
        raise ModuleExit(dict(result, msg=msg, failed=True))

    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)

    def invoke(module, check=False, diff=False, **args):
        connection = {"api_token": SANDBOX_TOKEN, "api_url": sandbox.cloudflare.root + "/client/v4",
                      "account_id": SANDBOX_ACCOUNT_ID, "endpoint_url": sandbox.r2.root,
                      "access_key_id": SANDBOX_ACCESS_KEY, "secret_access_key": SANDBOX_SECRET_KEY}
        connection.update(args)
        with patch_module_args(dict(connection, _ansible_check_mode=check, _ansible_diff=diff)):
            with pytest.raises(ModuleExit) as caught:
                module.main()
        text = json.dumps(caught.value.result, default=str)
        assert SANDBOX_TOKEN not in text and SANDBOX_SECRET_KEY not in text
        return caught.value.result

    return invoke


def ok(result):
    assert not result.get("failed"), result
    return result


# --- r2_bucket ------------------------------------------------------------------------------


def test_bucket_is_created_with_cors_then_rerun_writes_nothing(run, sandbox):
    result = ok(run(r2_bucket, name=BUCKET, location_hint="weur", cors_rules=SITE_CORS, diff=True))
    assert result["changed"] is True
    assert (result["bucket"]["name"], result["bucket"]["location"]) == (BUCKET, "weur")
    assert result["diff"]["before"] is None and result["diff"]["after"]["cors_rules"] == SITE_CORS
    assert sandbox.writes() == [("POST", "/accounts/%s/r2/buckets" % SANDBOX_ACCOUNT_ID),
                                ("PUT", "/accounts/%s/r2/buckets/%s/cors" % (SANDBOX_ACCOUNT_ID, BUCKET))]
    state = sandbox.bucket()
    assert state["cors"] == [{"allowed": {"origins": ["https://site.test"], "methods": ["GET", "HEAD"]},
                              "maxAgeSeconds": 3600}]

    sandbox.forget()
    again = ok(run(r2_bucket, name=BUCKET, location_hint="weur", cors_rules=SITE_CORS))
    assert again["changed"] is False and sandbox.writes() == []


def test_bucket_check_mode_reports_creation_without_writing(run, sandbox):
    result = ok(run(r2_bucket, check=True, name=BUCKET, cors_rules=SITE_CORS))
    assert result["changed"] is True and result["bucket"]["creation_date"] is None
    assert sandbox.writes() == [] and sandbox.bucket() is None


def test_cors_change_replaces_rules_and_empty_list_deletes_them(run, sandbox):
    ok(run(r2_bucket, name=BUCKET, cors_rules=SITE_CORS))
    wider = [dict(SITE_CORS[0], allowed_methods=["GET", "HEAD", "PUT"])]
    sandbox.forget()
    assert ok(run(r2_bucket, name=BUCKET, cors_rules=wider))["changed"] is True
    assert sandbox.bucket()["cors"][0]["allowed"]["methods"] == ["GET", "HEAD", "PUT"]
    assert ok(run(r2_bucket, name=BUCKET, cors_rules=[]))["changed"] is True
    assert sandbox.bucket()["cors"] == []
    assert [method for method, _path in sandbox.writes()] == ["PUT", "DELETE"]
    assert ok(run(r2_bucket, name=BUCKET, cors_rules=[]))["changed"] is False


def test_storage_class_change_is_a_patch(run, sandbox):
    ok(run(r2_bucket, name=BUCKET))
    sandbox.forget()
    result = ok(run(r2_bucket, name=BUCKET, storage_class="InfrequentAccess"))
    assert result["changed"] is True and result["bucket"]["storage_class"] == "InfrequentAccess"
    assert sandbox.writes() == [("PATCH", "/accounts/%s/r2/buckets/%s" % (SANDBOX_ACCOUNT_ID, BUCKET))]


def test_non_empty_bucket_is_not_deleted_without_force(run, sandbox):
    ok(run(r2_bucket, name=BUCKET))
    ok(run(r2_object, bucket=BUCKET, key="a.txt", content="a"))
    refused = run(r2_bucket, name=BUCKET, state="absent")
    assert refused["failed"] and refused["field"] == "force" and "still holds objects" in refused["msg"]
    assert sandbox.bucket() is not None

    deleted = ok(run(r2_bucket, name=BUCKET, state="absent", force=True))
    assert deleted["changed"] is True and deleted["deleted_objects"] == ["a.txt"]
    assert sandbox.bucket() is None
    assert ok(run(r2_bucket, name=BUCKET, state="absent"))["changed"] is False


@pytest.mark.parametrize("args, field", [
    ({"name": "Site_Test"}, "name"),
    ({"name": "-site"}, "name"),
    ({"name": "ab"}, "name"),
    ({"name": BUCKET, "cors_rules": [{"allowed_origins": ["https://x.test"], "allowed_methods": ["PATCH"]}]},
     "cors_rules[0].allowed_methods"),
    ({"name": BUCKET, "cors_rules": [{"allowed_origins": ["x.test/path"], "allowed_methods": ["GET"]}]},
     "cors_rules[0].allowed_origins"),
    ({"name": BUCKET, "cors_rules": [{"allowed_origins": ["*"], "allowed_methods": ["GET"],
                                      "max_age_seconds": 100000}]}, "cors_rules[0].max_age_seconds"),
    ({"name": BUCKET, "api_token": ""}, "api_token"),
])
def test_bad_bucket_input_fails_before_any_request(run, sandbox, args, field):
    result = run(r2_bucket, **args)
    assert result["failed"] and result["field"] == field, result
    assert sandbox.cloudflare.control("GET", "requests") == []


def test_bucket_created_over_rest_is_seen_by_info_and_s3(run, sandbox):
    ok(run(r2_bucket, name=BUCKET, cors_rules=SITE_CORS))
    ok(run(r2_object, bucket=BUCKET, key="brand/logo.svg", content="<svg/>"))
    listing = ok(run(r2_info))
    assert [b["name"] for b in listing["buckets"]] == [BUCKET]
    info = ok(run(r2_info, name=BUCKET, list_objects=True))
    assert info["exists"] is True and info["cors_rules"] == SITE_CORS
    assert [(o["key"], o["etag"]) for o in info["objects"]] == [
        ("brand/logo.svg", hashlib.md5(b"<svg/>").hexdigest())]
    assert ok(run(r2_info, name="missing-bucket"))["exists"] is False


# --- r2_object ------------------------------------------------------------------------------


@pytest.fixture
def assets(tmp_path):
    (tmp_path / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "favicon.ico").write_bytes(bytes(range(256)))
    return [{"key": "brand/logo.svg", "src": str(tmp_path / "logo.svg"), "cache_control": "public, max-age=60"},
            {"key": "brand/favicon.ico", "src": str(tmp_path / "favicon.ico")},
            {"key": "brand/notes.txt", "content": "hello", "metadata": {"owner": "ops"}}]


def test_objects_upload_once_with_one_listing_then_rerun_only_lists(run, sandbox, assets):
    ok(run(r2_bucket, name=BUCKET))
    sandbox.forget()
    result = ok(run(r2_object, bucket=BUCKET, objects=assets, diff=True))
    assert result["changed"] is True and sorted(result["uploaded"]) == sorted(a["key"] for a in assets)
    operations = [e["operation"] for e in sandbox.r2.control("GET", "requests")]
    assert sorted(operations) == ["ListObjectsV2", "PutObject", "PutObject", "PutObject"]
    stored = {o["key"]: o for o in sandbox.bucket()["objects"]}
    assert stored["brand/logo.svg"]["content_type"] == "image/svg+xml"
    assert stored["brand/logo.svg"]["cache_control"] == "public, max-age=60"
    assert stored["brand/notes.txt"]["metadata"] == {"owner": "ops", "sha256": hashlib.sha256(b"hello").hexdigest()}
    assert stored["brand/favicon.ico"]["etag"] == hashlib.md5(bytes(range(256))).hexdigest()
    assert result["diff"]["before"] == {}

    sandbox.forget()
    again = ok(run(r2_object, bucket=BUCKET, objects=assets))
    assert again["changed"] is False and again["uploaded"] == []
    assert {o["action"] for o in again["objects"]} == {"unchanged"}
    assert [e["operation"] for e in sandbox.r2.control("GET", "requests")] == ["ListObjectsV2"]


def test_changed_content_is_uploaded_again_and_force_uploads_everything(run, sandbox, assets, tmp_path):
    ok(run(r2_bucket, name=BUCKET))
    ok(run(r2_object, bucket=BUCKET, objects=assets))
    (tmp_path / "logo.svg").write_text("<svg id='new'/>")
    result = ok(run(r2_object, bucket=BUCKET, objects=assets))
    assert result["uploaded"] == ["brand/logo.svg"]
    assert ok(run(r2_object, bucket=BUCKET, objects=assets, force=True))["uploaded"] == [a["key"] for a in assets]


def test_object_check_mode_plans_without_writing(run, sandbox, assets):
    ok(run(r2_bucket, name=BUCKET))
    sandbox.forget()
    result = ok(run(r2_object, check=True, bucket=BUCKET, objects=assets))
    assert result["changed"] is True and len(result["uploaded"]) == 3
    assert sandbox.writes() == [] and sandbox.bucket()["objects"] == []


def test_multipart_object_is_current_through_its_sha256_metadata(run, sandbox):
    ok(run(r2_bucket, name=BUCKET))
    ok(run(r2_object, bucket=BUCKET, key="big.bin", content="payload"))
    emulator_key = _moto_key(BUCKET, "big.bin")
    emulator_key._etag = "0123456789abcdef0123456789abcdef-2"  # as a multipart upload by another tool would be
    sandbox.forget()
    result = ok(run(r2_object, bucket=BUCKET, key="big.bin", content="payload"))
    assert result["changed"] is False
    assert [e["operation"] for e in sandbox.r2.control("GET", "requests")] == ["ListObjectsV2", "HeadObject"]


def _moto_key(bucket, key):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    return s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets[bucket].keys[key]


def test_upload_error_names_the_operation_without_secrets(run, sandbox):
    sandbox.r2.control("POST", "faults", {"method": "PUT", "path": "/%s/a.txt" % BUCKET, "status": 403, "times": 5})
    ok(run(r2_bucket, name=BUCKET))
    result = run(r2_object, bucket=BUCKET, key="a.txt", content="a")
    assert result["failed"] and result["msg"].startswith("R2: upload object failed: PUT /%s/a.txt -> HTTP 403" % BUCKET)
    sandbox.r2.control("DELETE", "faults")


@pytest.mark.parametrize("args, field", [
    ({"objects": [{"key": "a.txt", "src": "/nonexistent/file.txt"}]}, "objects[0].src"),
    ({"objects": [{"key": "a.txt"}]}, "objects[0]"),
    ({"objects": [{"key": "a.txt", "content": "x"}, {"key": "a.txt", "content": "y"}]}, "objects[1].key"),
    ({"objects": [{"key": "/a.txt", "content": "x"}]}, "objects[0].key"),
    ({"objects": [{"key": "a.txt", "content": "x", "metadata": {"sha256": "x"}}]}, "objects[0].metadata"),
    ({"objects": [{"key": "a.txt", "content": "x", "acl": "public-read"}]}, "objects[0]"),
    ({"key": "a.txt", "content": "x", "bucket": "Bad.Bucket"}, "bucket"),
    ({"key": "a.txt", "content": "x", "secret_access_key": ""}, "secret_access_key"),
])
def test_bad_object_input_fails_before_any_request(run, sandbox, args, field):
    args.setdefault("bucket", BUCKET)
    result = run(r2_object, **args)
    assert result["failed"] and result["field"] == field, result
    assert sandbox.r2.control("GET", "requests") == []
