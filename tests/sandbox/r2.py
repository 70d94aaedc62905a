"""R2's S3-compatible endpoint for the local sandbox: moto's S3 server behind a thin R2 front.

Objects and buckets live in moto's S3 backend (``moto[server]``, served
in-process through its Flask app).  The front answers like R2 where R2
differs from AWS, before moto sees the request:

* Region ``auto``; an empty region and ``us-east-1`` are aliases of it, for
  the SigV4 credential scope and for ``CreateBucket``'s ``LocationConstraint``
  (NOTES.md, "R2: REST management vs S3 data plane").  Any other region is
  refused (``AuthorizationHeaderMalformed``, 400: the sandbox's choice).
* Flexible checksums are refused: ``x-amz-sdk-checksum-algorithm``, any
  ``x-amz-checksum-*`` header (``x-amz-checksum-mode`` on reads included)
  and ``x-amz-trailer`` answer 501 ``NotImplemented`` "Header '<name>' with
  value '<value>' not implemented" (the text R2 returned to SDKs that send
  checksums by default: cloudflare/cloudflare-docs PR #19236, duolicious
  issue #612).  Cloudflare's S3 compatibility page now lists CRC64NVME as
  implemented for full-object checksums; the sandbox refuses it anyway, as
  the brief of this front asks, so it is stricter than R2 there.
* No ACLs: ``x-amz-acl`` other than ``private`` and any ``x-amz-grant-*``
  header answer 501 ``NotImplemented`` with the same text (R2's answer to
  ``x-amz-acl: public-read``, pixelfed issue #3775); ``PutBucketAcl`` and
  ``PutObjectAcl`` (``PUT ?acl``) answer 501 ``NotImplemented``, the code for
  an unimplemented operation (the message is the sandbox's).
* Bucket names follow R2's rule: 3..63 of ``[a-z0-9-]``, starting and
  ending with a letter or digit (400 ``InvalidBucketName``; R2's error codes
  page, code 10005).
* Credentials: ``Authorization: AWS4-HMAC-SHA256 Credential=<key>/...`` (or
  a presigned ``X-Amz-Credential``) with the sandbox access key; anything
  else is 401 ``Unauthorized`` (R2's error codes page, code 10002).  The
  signature itself is not verified.

Only path-style requests are served (``/<bucket>/<key>``).  Errors are S3 XML.

The Cloudflare emulator's R2 REST endpoints (``/accounts/{id}/r2/buckets``)
share this store through ``SharedState``: they call the ``rest_*`` methods
below, so a bucket created over REST is visible over S3 and the other way
round.  Bucket attributes that S3 does not have (location hint, storage
class, jurisdiction) are kept here beside moto's buckets.
"""

import io
import re
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

from .base import Emulator

SANDBOX_ACCESS_KEY = "sandboxr2accesskey"
SANDBOX_SECRET_KEY = "sandbox-r2-secret-key"
ACCEPTED_REGIONS = ("auto", "us-east-1", "")
MOTO_REGION = "us-east-1"
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
DEFAULT_LOCATION = "enam"
DEFAULT_STORAGE_CLASS = "Standard"
DEFAULT_JURISDICTION = "default"
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]*)/s3/aws4_request")
LOCATION_CONSTRAINT = re.compile(rb"<LocationConstraint>\s*([^<]*?)\s*</LocationConstraint>")
USER_METADATA = "x-amz-meta-"
CHECKSUM_HEADERS = ("x-amz-sdk-checksum-algorithm", "x-amz-trailer")
S3_ERROR_STATUS = {
    "Unauthorized": 401,
    "AuthorizationHeaderMalformed": 400,
    "NotImplemented": 501,
    "InvalidBucketName": 400,
    "InvalidLocationConstraint": 400,
}


class BucketProblem(Exception):
    """A REST bucket operation the store refuses: ``kind`` is missing, exists, not_empty or no_cors."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def s3_error(code, message, status=None):
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>'
            % (escape(code), escape(message)))
    return Response(body, status=status or S3_ERROR_STATUS[code], mimetype="application/xml")


def not_implemented_header(name, value):
    return s3_error("NotImplemented", "Header '%s' with value '%s' not implemented" % (name, value))


def s3_operation(method, path, args, headers):
    """The S3 operation name of a path-style request (for the request log and fault matching)."""
    parts = path.lstrip("/").split("/", 1)
    if not parts[0]:
        return "ListBuckets" if method == "GET" else "Unknown"
    if len(parts) == 1 or not parts[1]:
        return _bucket_operation(method, args)
    return _object_operation(method, args, headers)


def _bucket_operation(method, args):
    for sub in ("cors", "acl", "location", "versioning", "policy", "lifecycle"):
        if sub in args:
            verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method, method.title())
            return "%sBucket%s" % (verb, "Cors" if sub == "cors" else sub.title())
    if method == "POST" and "delete" in args:
        return "DeleteObjects"
    if method == "GET":
        return "ListObjectsV2" if args.get("list-type") == "2" else "ListObjects"
    return {"PUT": "CreateBucket", "HEAD": "HeadBucket", "DELETE": "DeleteBucket"}.get(method, "Unknown")


def _object_operation(method, args, headers):
    if "acl" in args:
        return "PutObjectAcl" if method == "PUT" else "GetObjectAcl"
    if method == "PUT":
        if "partNumber" in args:
            return "UploadPart"
        return "CopyObject" if "x-amz-copy-source" in headers else "PutObject"
    if method == "POST":
        return "CreateMultipartUpload" if "uploads" in args else "CompleteMultipartUpload"
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in args else "DeleteObject"
    return {"GET": "GetObject", "HEAD": "HeadObject"}.get(method, "Unknown")


def _moto_s3():
    """moto's S3 Flask app and the backend holding the sandbox account's buckets (imported on first use)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.moto_server.werkzeug_app import create_backend_app
    from moto.s3.models import CorsRule, s3_backends

    return create_backend_app("s3"), s3_backends[DEFAULT_ACCOUNT_ID]["aws"], CorsRule


class R2Emulator(Emulator):
    """R2's S3 endpoint (path style) over moto, plus the bucket store behind Cloudflare's R2 REST API."""

    name = "r2"

    def __init__(self, shared=None, **options):
        super().__init__(shared, **options)
        self.s3_app, self.backend, self._cors_rule = _moto_s3()
        self.attributes = {}
        self.reset()

    # -- framework interface ---------------------------------------------------

    def reset(self):
        with self.lock:
            self.backend.reset()
            self.attributes = {}

    def describe(self, request):
        return {"operation": s3_operation(request.method, request.path, request.args, request.headers)}

    def snapshot(self):
        with self.lock:
            buckets = []
            for name in sorted(self.backend.buckets):
                bucket = self.backend.buckets[name]
                objects = [_object_view(key) for _name, key in sorted(bucket.keys.items())]
                buckets.append({**self._bucket_view(name), "cors": self._cors_view(bucket), "objects": objects})
            return {"buckets": buckets}

    def dispatch(self, request):
        with self.lock:
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
            body = request.get_data()
            operation = s3_operation(request.method, request.path, request.args, request.headers)
            if operation == "CreateBucket":
                refusal, body = self._create_bucket_body(request.path.strip("/"), body)
                if refusal is not None:
                    return refusal
            response = self._forward(request, body)
            self._after(operation, request.path.strip("/"), response.status_code)
            return response

    # -- the R2 front -------------------------------------------------------------

    def _refusal(self, request):
        """The R2 answer for a request R2 would refuse before doing anything, or None."""
        return (self._credentials_refusal(request) or self._acl_refusal(request)
                or self._checksum_refusal(request.headers))

    @staticmethod
    def _credentials_refusal(request):
        match = CREDENTIAL.search(request.headers.get("Authorization", "")) \
            or CREDENTIAL.search("Credential=" + request.args.get("X-Amz-Credential", ""))
        if match is None or match.group(1) != SANDBOX_ACCESS_KEY:
            return s3_error("Unauthorized", "Missing or invalid authentication credentials.")
        if match.group(3) not in ACCEPTED_REGIONS:
            return s3_error("AuthorizationHeaderMalformed",
                            "The authorization header is malformed; the region '%s' is wrong; expecting 'auto'"
                            % match.group(3))
        return None

    @staticmethod
    def _checksum_refusal(headers):
        for name, value in headers.items():
            lowered = name.lower()
            if lowered in CHECKSUM_HEADERS or lowered.startswith("x-amz-checksum-"):
                return not_implemented_header(lowered, value)
        return None

    @staticmethod
    def _acl_refusal(request):
        for name, value in request.headers.items():
            lowered = name.lower()
            if (lowered == "x-amz-acl" and value.strip().lower() != "private") or lowered.startswith("x-amz-grant-"):
                return not_implemented_header(lowered, value)
        if request.method == "PUT" and "acl" in request.args:
            operation = s3_operation(request.method, request.path, request.args, request.headers)
            return s3_error("NotImplemented", "%s is not implemented by R2" % operation)
        return None

    def _create_bucket_body(self, name, body):
        """(refusal or None, the body moto gets): R2's name rule, region ``auto`` and its aliases."""
        if not BUCKET_NAME.match(name):
            return s3_error("InvalidBucketName", "The specified bucket name is not valid."), body
        match = LOCATION_CONSTRAINT.search(body or b"")
        if match is None:
            return None, b""
        if match.group(1).decode() not in ACCEPTED_REGIONS:
            return s3_error("InvalidLocationConstraint",
                            "The specified location-constraint is not valid; use 'auto'."), body
        return None, b""

    def _forward(self, request, body):
        environ = dict(request.environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        authorization = request.headers.get("Authorization")
        if authorization:
            environ["HTTP_AUTHORIZATION"] = CREDENTIAL.sub(
                lambda m: "Credential=%s/%s/%s/s3/aws4_request" % (m.group(1), m.group(2), MOTO_REGION),
                authorization)
        return Response.from_app(self.s3_app, environ)

    def _after(self, operation, name, status):
        if operation == "DeleteBucket" and status == 204:
            self.attributes.pop(name, None)

    # -- the bucket store behind Cloudflare's R2 REST API -----------------------

    def rest_list(self, jurisdiction=DEFAULT_JURISDICTION):
        with self.lock:
            views = (self._bucket_view(name) for name in sorted(self.backend.buckets))
            return [view for view in views if view["jurisdiction"] == jurisdiction]

    def rest_get(self, name, jurisdiction=DEFAULT_JURISDICTION):
        with self.lock:
            self._bucket(name, jurisdiction)
            return self._bucket_view(name)

    def rest_create(self, name, location=None, storage_class=None, jurisdiction=DEFAULT_JURISDICTION):
        with self.lock:
            if name in self.backend.buckets:
                raise BucketProblem("exists", "Bucket name already exists.")
            self.backend.create_bucket(name, MOTO_REGION)
            self.attributes[name] = {
                "location": location or DEFAULT_LOCATION,
                "storage_class": storage_class or DEFAULT_STORAGE_CLASS,
                "jurisdiction": jurisdiction,
            }
            return self._bucket_view(name)

    def rest_set_storage_class(self, name, storage_class, jurisdiction=DEFAULT_JURISDICTION):
        with self.lock:
            self._bucket(name, jurisdiction)
            self._attributes(name)["storage_class"] = storage_class
            return self._bucket_view(name)

    def rest_delete(self, name, jurisdiction=DEFAULT_JURISDICTION):
        with self.lock:
            bucket = self._bucket(name, jurisdiction)
            if bucket.keys:
                raise BucketProblem("not_empty", "The bucket you tried to delete is not empty.")
            self.backend.delete_bucket(name)
            self.attributes.pop(name, None)

    def rest_cors(self, name, jurisdiction=DEFAULT_JURISDICTION):
        with self.lock:
            bucket = self._bucket(name, jurisdiction)
            if not bucket.cors:
                raise BucketProblem("no_cors", "The CORS configuration does not exist.")
            return self._cors_view(bucket)

    def rest_put_cors(self, name, rules, jurisdiction=DEFAULT_JURISDICTION):
        """Replace the bucket's CORS rules with ``rules`` (already validated, in the REST camelCase shape)."""
        with self.lock:
            bucket = self._bucket(name, jurisdiction)
            bucket.cors = [self._cors_rule(
                rule["allowed"]["methods"], rule["allowed"]["origins"], rule["allowed"].get("headers"),
                rule.get("exposeHeaders"),
                None if rule.get("maxAgeSeconds") is None else str(int(rule["maxAgeSeconds"])),
                rule.get("id")) for rule in rules]

    def rest_delete_cors(self, name, jurisdiction=DEFAULT_JURISDICTION):
        with self.lock:
            self._bucket(name, jurisdiction).cors = []

    # -- helpers ---------------------------------------------------------------

    def _bucket(self, name, jurisdiction):
        bucket = self.backend.buckets.get(name)
        if bucket is None or self._attributes(name)["jurisdiction"] != jurisdiction:
            raise BucketProblem("missing", "The specified bucket does not exist.")
        return bucket

    def _attributes(self, name):
        """Attributes of a bucket; one created over S3 gets the defaults on first use."""
        return self.attributes.setdefault(name, {
            "location": DEFAULT_LOCATION, "storage_class": DEFAULT_STORAGE_CLASS,
            "jurisdiction": DEFAULT_JURISDICTION})

    def _bucket_view(self, name):
        bucket = self.backend.buckets[name]
        return {"name": name, "creation_date": bucket.creation_date_ISO8601, **self._attributes(name)}

    @staticmethod
    def _cors_view(bucket):
        rules = []
        for rule in bucket.cors or []:
            allowed = {"origins": list(rule.allowed_origins or []), "methods": list(rule.allowed_methods or [])}
            if rule.allowed_headers:
                allowed["headers"] = list(rule.allowed_headers)
            view = {"allowed": allowed}
            if rule.id_:
                view["id"] = rule.id_
            if rule.exposed_headers:
                view["exposeHeaders"] = list(rule.exposed_headers)
            if rule.max_age_seconds is not None:
                view["maxAgeSeconds"] = int(rule.max_age_seconds)
            rules.append(view)
        return rules


def _object_view(key):
    metadata = {name[len(USER_METADATA):]: value for name, value in key.metadata.items()
                if name.startswith(USER_METADATA)}
    return {
        "key": key.name, "size": key.size, "etag": key.etag.strip('"'),
        "content_type": key.metadata.get("content-type"), "cache_control": key.metadata.get("cache-control"),
        "metadata": metadata,
    }
