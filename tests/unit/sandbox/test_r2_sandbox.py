"""The R2 sandbox: moto's S3 behind R2's differences, and the bucket store shared with Cloudflare's REST API."""

import pytest
import requests

boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto")

from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from tests.sandbox.base import SharedState  # noqa: E402
from tests.sandbox.cloudflare import BASE_PATH, SANDBOX_ACCOUNT_ID, SANDBOX_TOKEN, CloudflareEmulator  # noqa: E402
from tests.sandbox.framework import SandboxApp, serve  # noqa: E402
from tests.sandbox.r2 import SANDBOX_ACCESS_KEY, SANDBOX_SECRET_KEY, R2Emulator, s3_operation  # noqa: E402

R2_CONFIG = Config(request_checksum_calculation="when_required", response_checksum_validation="when_required",
                   s3={"addressing_style": "path"}, retries={"total_max_attempts": 1})
AUTH = {"Authorization": "Bearer " + SANDBOX_TOKEN}


@pytest.fixture(scope="module")
def served():
    shared = SharedState()
    apps = {"cloudflare": SandboxApp(CloudflareEmulator(shared)), "r2": SandboxApp(R2Emulator(shared))}
    servers = {name: serve(app) for name, app in apps.items()}
    yield {name: "http://127.0.0.1:%d" % server.server_port for name, server in servers.items()}
    for name, app in apps.items():
        app.close()
        servers[name].shutdown()


@pytest.fixture
def urls(served):
    for root in served.values():
        requests.post(root + "/_sandbox/reset", timeout=10).raise_for_status()
    yield served
    assert requests.get(served["cloudflare"] + "/_sandbox/violations", timeout=10).json() == []


def s3(urls, region="auto", access_key=SANDBOX_ACCESS_KEY, config=R2_CONFIG):
    return boto3.client("s3", endpoint_url=urls["r2"], region_name=region, aws_access_key_id=access_key,
                        aws_secret_access_key=SANDBOX_SECRET_KEY, config=config)


def rest(urls, method, path="", **kwargs):
    url = "%s%s/accounts/%s/r2/buckets%s" % (urls["cloudflare"], BASE_PATH, SANDBOX_ACCOUNT_ID, path)
    return requests.request(method, url, headers=dict(AUTH, **kwargs.pop("headers", {})), timeout=10, **kwargs)


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def take_violations(urls):
    """The contract violations recorded so far (a deliberately invalid request records one), then forgets them."""
    found = requests.get(urls["cloudflare"] + "/_sandbox/violations", timeout=10).json()
    requests.delete(urls["cloudflare"] + "/_sandbox/violations", timeout=10).raise_for_status()
    return [(v["kind"], v["method"]) for v in found]


def log(urls):
    return requests.get(urls["r2"] + "/_sandbox/requests", timeout=10).json()


# --- region ``auto`` and its aliases ---------------------------------------------------------


@pytest.mark.parametrize("region", ["auto", "us-east-1"])
def test_region_auto_and_its_alias_create_and_upload(urls, region):
    client = s3(urls, region)
    client.create_bucket(Bucket="site-assets")
    etag = client.put_object(Bucket="site-assets", Key="a.txt", Body=b"hello")["ETag"]
    assert etag == '"5d41402abc4b2a76b9719d911017c592"'
    assert client.get_object(Bucket="site-assets", Key="a.txt")["Body"].read() == b"hello"


def test_location_constraint_auto_is_accepted_and_another_region_refused(urls):
    client = s3(urls)
    client.create_bucket(Bucket="with-constraint", CreateBucketConfiguration={"LocationConstraint": "auto"})
    assert error_of(client.create_bucket, Bucket="other-region",
                    CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})[:2] == (400, "InvalidLocationConstraint")
    assert [b["Name"] for b in client.list_buckets()["Buckets"]] == ["with-constraint"]


def test_a_signing_region_other_than_auto_is_refused(urls):
    status, code, _message = error_of(s3(urls, "eu-west-1").list_buckets)
    assert (status, code) == (400, "AuthorizationHeaderMalformed")


def test_unknown_access_key_is_unauthorized(urls):
    assert error_of(s3(urls, access_key="AKIAOTHERKEY").list_buckets)[:2] == (401, "Unauthorized")
    assert requests.get(urls["r2"] + "/", timeout=10).status_code == 401


@pytest.mark.parametrize("name", ["Upper-Case", "under_score", "-leading", "trailing-", "a.dotted.name", "x" * 64])
def test_bucket_names_follow_r2_rules(urls, name):
    response = requests.put(urls["r2"] + "/" + name, timeout=10,
                            headers={"Authorization": "AWS4-HMAC-SHA256 Credential=%s/20260101/auto/s3/aws4_request, "
                                                      "SignedHeaders=host, Signature=0" % SANDBOX_ACCESS_KEY})
    assert response.status_code == 400 and "<Code>InvalidBucketName</Code>" in response.text


# --- checksums and ACLs ------------------------------------------------------------------------


def signed(urls, method, path, headers=None, data=b""):
    auth = "AWS4-HMAC-SHA256 Credential=%s/20260101/auto/s3/aws4_request, SignedHeaders=host, Signature=0" \
        % SANDBOX_ACCESS_KEY
    return requests.request(method, urls["r2"] + path, headers=dict({"Authorization": auth}, **(headers or {})),
                            data=data, timeout=10)


@pytest.mark.parametrize("header, value", [
    ("x-amz-checksum-crc64nvme", "AAAAAAAAAAA="),
    ("x-amz-sdk-checksum-algorithm", "CRC64NVME"),
    ("x-amz-checksum-crc32", "NhCmhg=="),
])
def test_checksum_headers_are_not_implemented(urls, header, value):
    s3(urls).create_bucket(Bucket="checksums")
    response = signed(urls, "PUT", "/checksums/a.txt", {header: value}, b"hello")
    assert response.status_code == 501
    assert "<Code>NotImplemented</Code>" in response.text
    assert "Header &apos;%s&apos; with value &apos;%s&apos; not implemented" % (header, value) in response.text \
        or "Header '%s' with value '%s' not implemented" % (header, value) in response.text
    assert s3(urls).list_objects_v2(Bucket="checksums").get("KeyCount") == 0


def test_sdk_default_checksums_are_refused_as_by_r2(urls):
    s3(urls).create_bucket(Bucket="defaults")
    default_client = s3(urls, config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}))
    status, code, message = error_of(default_client.put_object, Bucket="defaults", Key="a.txt", Body=b"x")
    assert (status, code) == (501, "NotImplemented") and "not implemented" in message


def test_acls_other_than_private_are_not_implemented(urls):
    client = s3(urls)
    client.create_bucket(Bucket="acls")
    client.put_object(Bucket="acls", Key="private.txt", Body=b"x", ACL="private")
    assert error_of(client.put_object, Bucket="acls", Key="public.txt", Body=b"x", ACL="public-read")[:2] == \
        (501, "NotImplemented")
    assert signed(urls, "PUT", "/acls/a.txt", {"x-amz-grant-read": "uri=everyone"}, b"x").status_code == 501
    assert signed(urls, "PUT", "/acls/private.txt?acl", {"x-amz-acl": "private"}).status_code == 501
    assert signed(urls, "PUT", "/acls?acl", {"x-amz-acl": "private"}).status_code == 501
    assert [o["Key"] for o in client.list_objects_v2(Bucket="acls")["Contents"]] == ["private.txt"]


# --- one store for S3 and Cloudflare's REST API ------------------------------------------------


def test_bucket_created_over_rest_is_an_s3_bucket_and_the_other_way_round(urls):
    created = rest(urls, "POST", json={"name": "from-rest", "locationHint": "weur", "storageClass": "InfrequentAccess"})
    assert created.status_code == 200 and created.json()["result"]["location"] == "weur"
    client = s3(urls)
    client.create_bucket(Bucket="from-s3")
    assert sorted(b["Name"] for b in client.list_buckets()["Buckets"]) == ["from-rest", "from-s3"]
    listed = rest(urls, "GET").json()["result"]["buckets"]
    expected = [("from-rest", "InfrequentAccess"), ("from-s3", "Standard")]
    assert [(b["name"], b["storage_class"]) for b in listed] == expected


def test_rest_cors_is_the_buckets_s3_cors(urls):
    rest(urls, "POST", json={"name": "cors-bucket"})
    rules = [{"allowed": {"origins": ["https://site.test"], "methods": ["GET", "HEAD"], "headers": ["range"]},
              "exposeHeaders": ["etag"], "maxAgeSeconds": 600}]
    assert rest(urls, "GET", "/cors-bucket/cors").json()["errors"][0]["code"] == 10059
    assert rest(urls, "PUT", "/cors-bucket/cors", json={"rules": rules}).json()["success"] is True
    assert rest(urls, "GET", "/cors-bucket/cors").json()["result"] == {"rules": rules}
    s3_rules = s3(urls).get_bucket_cors(Bucket="cors-bucket")["CORSRules"]
    assert s3_rules == [{"AllowedHeaders": ["range"], "AllowedMethods": ["GET", "HEAD"],
                         "AllowedOrigins": ["https://site.test"], "ExposeHeaders": ["etag"], "MaxAgeSeconds": 600}]
    bad = rest(urls, "PUT", "/cors-bucket/cors", json={"rules": [{"allowed": {"origins": ["*"], "methods": ["PATCH"]}}]})
    assert bad.status_code == 400
    assert take_violations(urls) == [("request", "PUT")]


def test_rest_refuses_to_delete_a_non_empty_bucket(urls):
    rest(urls, "POST", json={"name": "full-bucket"})
    s3(urls).put_object(Bucket="full-bucket", Key="a.txt", Body=b"x")
    refused = rest(urls, "DELETE", "/full-bucket")
    assert refused.status_code == 409 and refused.json()["errors"][0]["code"] == 10008
    s3(urls).delete_object(Bucket="full-bucket", Key="a.txt")
    assert rest(urls, "DELETE", "/full-bucket").json()["success"] is True
    assert s3(urls).list_buckets()["Buckets"] == []


def test_rest_duplicates_missing_buckets_and_jurisdictions(urls):
    assert rest(urls, "POST", json={"name": "twice"}).status_code == 200
    duplicate = rest(urls, "POST", json={"name": "twice"})
    assert duplicate.status_code == 409 and duplicate.json()["errors"][0]["code"] == 10073
    assert rest(urls, "GET", "/absent").json()["errors"][0]["code"] == 10006
    rest(urls, "POST", json={"name": "eu-bucket"}, headers={"cf-r2-jurisdiction": "eu"})
    assert rest(urls, "GET", "/eu-bucket").status_code == 404
    assert rest(urls, "GET", "/eu-bucket", headers={"cf-r2-jurisdiction": "eu"}).json()["result"]["jurisdiction"] == "eu"
    assert rest(urls, "POST", json={"name": "Bad_Name"}).json()["errors"][0]["code"] == 10005
    assert take_violations(urls) == [("request", "POST")]


def test_storage_class_changes_through_the_header(urls):
    rest(urls, "POST", json={"name": "classy"})
    patched = rest(urls, "PATCH", "/classy", headers={"cf-r2-storage-class": "InfrequentAccess"})
    assert patched.json()["result"]["storage_class"] == "InfrequentAccess"
    assert rest(urls, "PATCH", "/classy", headers={"cf-r2-storage-class": "Glacier"}).status_code == 400


def test_bucket_listing_pages_with_a_cursor(urls):
    for index in range(5):
        rest(urls, "POST", json={"name": "bucket-%d" % index})
    first = rest(urls, "GET", params={"per_page": 2}).json()
    second = rest(urls, "GET", params={"per_page": 2, "cursor": first["result_info"]["cursor"]}).json()
    last = rest(urls, "GET", params={"per_page": 2, "cursor": second["result_info"]["cursor"]}).json()
    names = [b["name"] for page in (first, second, last) for b in page["result"]["buckets"]]
    assert names == ["bucket-%d" % index for index in range(5)] and "cursor" not in last["result_info"]


def test_cloudflare_without_r2_says_r2_is_not_enabled():
    app = SandboxApp(CloudflareEmulator(SharedState(), validate=False))
    server = serve(app)
    try:
        response = requests.get("http://127.0.0.1:%d%s/accounts/%s/r2/buckets" % (
            server.server_port, BASE_PATH, SANDBOX_ACCOUNT_ID), headers=AUTH, timeout=10)
        assert response.status_code == 403 and response.json()["errors"][0]["code"] == 10042
    finally:
        app.close()
        server.shutdown()


# --- the framework: request log, faults, reset, state -----------------------------------------------


def test_request_log_names_s3_operations_and_faults_match_them(urls):
    client = s3(urls)
    client.create_bucket(Bucket="logged")
    requests.post(urls["r2"] + "/_sandbox/faults", json={"operation": "PutObject", "status": 503, "times": 1},
                  timeout=10).raise_for_status()
    assert error_of(client.put_object, Bucket="logged", Key="a.txt", Body=b"x")[0] == 503
    client.put_object(Bucket="logged", Key="a.txt", Body=b"x")
    entries = [(e["method"], e["path"], e["operation"], e["status"]) for e in log(urls)]
    assert entries == [("PUT", "/logged", "CreateBucket", 200), ("PUT", "/logged/a.txt", "PutObject", 503),
                       ("PUT", "/logged/a.txt", "PutObject", 200)]


def test_a_fault_after_applying_leaves_the_object_stored(urls):
    client = s3(urls)
    client.create_bucket(Bucket="applied")
    requests.post(urls["r2"] + "/_sandbox/faults", json={"method": "PUT", "path": "/applied/*", "status": 500,
                                                         "after": True}, timeout=10).raise_for_status()
    assert error_of(client.put_object, Bucket="applied", Key="a.txt", Body=b"x")[0] == 500
    state = requests.get(urls["r2"] + "/_sandbox/state", timeout=10).json()
    assert [o["key"] for o in state["buckets"][0]["objects"]] == ["a.txt"]


def test_reset_forgets_buckets_and_objects(urls):
    client = s3(urls)
    client.create_bucket(Bucket="gone-soon")
    client.put_object(Bucket="gone-soon", Key="a.txt", Body=b"x")
    requests.post(urls["r2"] + "/_sandbox/reset", timeout=10).raise_for_status()
    assert client.list_buckets()["Buckets"] == []
    assert requests.get(urls["r2"] + "/_sandbox/state", timeout=10).json() == {"buckets": []}


@pytest.mark.parametrize("method, path, query, headers, operation", [
    ("GET", "/", {}, {}, "ListBuckets"),
    ("PUT", "/b", {}, {}, "CreateBucket"),
    ("GET", "/b", {"list-type": "2"}, {}, "ListObjectsV2"),
    ("PUT", "/b", {"cors": ""}, {}, "PutBucketCors"),
    ("DELETE", "/b", {}, {}, "DeleteBucket"),
    ("POST", "/b", {"delete": ""}, {}, "DeleteObjects"),
    ("PUT", "/b/k", {}, {}, "PutObject"),
    ("PUT", "/b/k", {}, {"x-amz-copy-source": "/b/j"}, "CopyObject"),
    ("PUT", "/b/k", {"partNumber": "1", "uploadId": "u"}, {}, "UploadPart"),
    ("HEAD", "/b/k", {}, {}, "HeadObject"),
    ("PUT", "/b/k", {"acl": ""}, {}, "PutObjectAcl"),
])
def test_s3_operation_names(method, path, query, headers, operation):
    assert s3_operation(method, path, query, headers) == operation
