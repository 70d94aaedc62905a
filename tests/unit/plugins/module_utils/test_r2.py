"""_r2: the S3 client's wire behaviour against a local server, and the validation/planning helpers."""

import hashlib

import pytest

pytest.importorskip("boto3")

from ansible_collections.fabrik.deploy.plugins.module_utils._common import SpecError  # noqa: E402
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, CheckModeViolation  # noqa: E402
from ansible_collections.fabrik.deploy.plugins.module_utils._r2 import (  # noqa: E402
    R2Client,
    common_prefix,
    endpoint_for,
    is_current,
    run_concurrently,
    validate_bucket_name,
    validate_objects,
)

ACCOUNT = "0123456789abcdef0123456789abcdef"
SECRET = "unit-secret-access-key-value"
NOT_IMPLEMENTED = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code>'
                   "<Message>Header 'x-amz-checksum-crc32' with value 'x' not implemented</Message></Error>")


def client(server, **options):
    return R2Client(access_key_id="unitaccesskey", secret_access_key=SECRET, endpoint_url=server.url, timeout=5,
                    **options)


# --- the S3 client on the wire ----------------------------------------------------------------


def test_put_object_is_path_style_region_auto_without_checksum_or_acl_headers(server):
    server.enqueue(status=200, body="", headers={"ETag": '"abc"'})
    etag = client(server).put_object("site-bucket", "brand/logo.svg", b"<svg/>", "image/svg+xml",
                                     "public, max-age=60", {"sha256": "f00"})
    assert etag == "abc"
    sent = server.requests[0]
    headers = {name.lower(): value for name, value in sent.headers.items()}
    assert (sent.method, sent.path) == ("PUT", "/site-bucket/brand/logo.svg")
    assert "/auto/s3/aws4_request" in headers["authorization"]
    refused = ("x-amz-checksum", "x-amz-sdk-checksum", "x-amz-acl", "x-amz-grant", "x-amz-trailer")
    assert not [name for name in headers if name.startswith(refused)]
    assert (headers["content-type"], headers["cache-control"], headers["x-amz-meta-sha256"]) == \
        ("image/svg+xml", "public, max-age=60", "f00")
    assert sent.body == b"<svg/>"


def test_s3_error_becomes_api_error_with_code_and_message(server):
    server.enqueue(status=501, body=NOT_IMPLEMENTED)
    with pytest.raises(ApiError) as caught:
        client(server).put_object("site-bucket", "a.txt", b"x", "text/plain")
    err = caught.value
    assert (err.service, err.operation, err.status) == ("R2", "upload object", 501)
    assert str(err) == ("R2: upload object failed: PUT /site-bucket/a.txt -> HTTP 501: NotImplemented "
                        "Header 'x-amz-checksum-crc32' with value 'x' not implemented")
    assert SECRET not in str(err)


def test_unavailable_is_retried_then_succeeds(server):
    server.enqueue(status=503, body="<Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>")
    server.enqueue(status=200, body="", headers={"ETag": '"abc"'})
    assert client(server).put_object("site-bucket", "a.txt", b"x", "text/plain") == "abc"
    assert server.count("PUT") == 2


def test_unreachable_endpoint_is_an_api_error_without_status(unused_port):
    unreachable = R2Client(access_key_id="k", secret_access_key=SECRET, timeout=1,
                           endpoint_url="http://127.0.0.1:%d" % unused_port)
    with pytest.raises(ApiError) as caught:
        unreachable.list_objects("site-bucket")
    assert caught.value.status is None and caught.value.operation == "list objects"
    assert SECRET not in str(caught.value)


def test_listing_follows_continuation_tokens(server):
    page = ('<ListBucketResult><IsTruncated>%s</IsTruncated>%s<Contents><Key>%s</Key><ETag>"%s"</ETag>'
            "<Size>1</Size><LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>")
    server.enqueue(status=200, body=page % ("true", "<NextContinuationToken>t2</NextContinuationToken>", "a", "e1"))
    server.enqueue(status=200, body=page % ("false", "", "b", "e2"))
    listing = client(server).list_objects("site-bucket", "brand/")
    assert {key: item["etag"] for key, item in listing.items()} == {"a": "e1", "b": "e2"}
    assert "continuation-token=t2" in server.requests[1].query and "prefix=brand" in server.requests[0].query


def test_head_of_a_missing_object_is_none(server):
    server.enqueue(status=404, body="")
    assert client(server).head_object("site-bucket", "missing.txt") is None


def test_check_mode_refuses_writes_before_sending(server):
    with pytest.raises(CheckModeViolation):
        client(server, check_mode=True).put_object("site-bucket", "a.txt", b"x", "text/plain")
    assert server.requests == []


def test_concurrent_runs_finish_every_item_before_raising():
    done = []

    def work(item):
        if item == 2:
            raise ValueError("item 2")
        done.append(item)

    with pytest.raises(ValueError, match="item 2"):
        run_concurrently(work, [1, 2, 3, 4], 2)
    assert sorted(done) == [1, 3, 4]


# --- endpoints and names --------------------------------------------------------------------------


def test_default_endpoints_per_jurisdiction():
    assert endpoint_for(ACCOUNT) == "https://%s.r2.cloudflarestorage.com" % ACCOUNT
    assert endpoint_for(ACCOUNT.upper(), "eu") == "https://%s.eu.r2.cloudflarestorage.com" % ACCOUNT
    with pytest.raises(SpecError) as caught:
        endpoint_for("not-an-account")
    assert caught.value.field == "account_id"


@pytest.mark.parametrize("name", ["abc", "site-example-com", "a" * 63, "0-9"])
def test_valid_bucket_names(name):
    assert validate_bucket_name(name) == name


@pytest.mark.parametrize("name", ["ab", "a" * 64, "Upper", "under_score", "dot.ted", "-lead", "trail-", None])
def test_invalid_bucket_names(name):
    with pytest.raises(SpecError) as caught:
        validate_bucket_name(name, "storage_bucket")
    assert caught.value.field == "storage_bucket"


def test_objects_are_hashed_and_typed(tmp_path):
    logo = tmp_path / "logo.bin"
    logo.write_bytes(b"\x89PNG")
    objects = validate_objects([{"key": "brand/logo.png", "src": str(logo)},
                                {"key": "notes", "content": "héllo", "metadata": {"Owner": "ops"}},
                                {"key": "data", "src": str(logo), "content_type": "image/png"}])
    assert objects[0]["md5"] == hashlib.md5(b"\x89PNG").hexdigest() and objects[0]["size"] == 4
    assert objects[0]["content_type"] == "image/png"
    assert objects[1]["sha256"] == hashlib.sha256("héllo".encode()).hexdigest()
    assert (objects[1]["content_type"], objects[1]["metadata"]) == ("application/octet-stream", {"owner": "ops"})
    assert objects[2]["content_type"] == "image/png"


@pytest.mark.parametrize("items, field", [
    ([], "objects"),
    ([{"key": "a", "src": "/does/not/exist"}], "objects[0].src"),
    ([{"key": "a", "src": "/tmp", "content": "x"}], "objects[0]"),
    ([{"key": "", "content": "x"}], "objects[0].key"),
    ([{"key": "k" * 1025, "content": "x"}], "objects[0].key"),
    ([{"key": "a", "content": "x", "content_type": "text"}], "objects[0].content_type"),
    ([{"key": "a", "content": "x", "metadata": {"bad name": "x"}}], "objects[0].metadata"),
    ([{"key": "a", "content": "x", "cache_control": "a\nb"}], "objects[0].cache_control"),
])
def test_invalid_objects_name_the_field(items, field):
    with pytest.raises(SpecError) as caught:
        validate_objects(items)
    assert caught.value.field == field


def test_a_directory_is_not_a_file(tmp_path):
    with pytest.raises(SpecError, match="no such file"):
        validate_objects([{"key": "a", "src": str(tmp_path)}])


def test_current_by_etag_or_by_sha256_metadata_of_multipart_objects():
    obj = validate_objects([{"key": "a", "content": "x"}])[0]
    assert is_current(obj, {"etag": obj["md5"]})
    assert not is_current(obj, None)
    multipart = {"etag": "0123-2"}
    assert not is_current(obj, multipart, {"metadata": {}})
    assert is_current(obj, multipart, {"metadata": {"sha256": obj["sha256"]}})


def test_common_prefix_of_keys():
    assert common_prefix(["brand/logo.svg", "brand/favicon.ico"]) == "brand/"
    assert common_prefix(["brand/a", "css/b"]) == ""
