# -*- coding: utf-8 -*-
# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloudflare R2: the options of the R2 modules, the S3 client for objects, and the validation of uploads.

Buckets and their CORS rules are managed through Cloudflare's REST API (``_r2_buckets.py``); objects go
through R2's S3 endpoint with boto3, configured for R2: region
``auto``, path-style addressing, and checksums only where an operation requires one (R2 refuses
the CRC32 checksum headers recent SDKs send by default).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.fabrik.deploy.plugins.module_utils._cloudflare import DEFAULT_API_URL
from ansible_collections.fabrik.deploy.plugins.module_utils._common import Failure, LazyImport, SpecError
from ansible_collections.fabrik.deploy.plugins.module_utils._http import ApiError, CheckModeViolation

SERVICE = "R2"
ENDPOINT_TEMPLATE = "https://{account}{jurisdiction}.r2.cloudflarestorage.com"
REGION = "auto"
MAX_CONNECT_TIMEOUT = 10
MAX_ATTEMPTS = 3
UPLOAD_WORKERS = 4
DELETE_WORKERS = 8
READ_CHUNK = 1024 * 1024
LIST_PAGE_SIZE = 1000

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
ACCOUNT_ID = re.compile(r"^[0-9a-f]{32}$")
METADATA_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
JURISDICTIONS = ("default", "eu", "fedramp")
MAX_KEY_BYTES = 1024
HASH_METADATA = "sha256"
DEFAULT_CONTENT_TYPE = "application/octet-stream"


# -- options ---------------------------------------------------------------------------------


def r2_argument_spec():
    """Connection options of the R2 modules (see the ``r2`` doc fragment)."""
    return dict(
        account_id=dict(type="str", fallback=(env_fallback, ["R2_ACCOUNT_ID", "CLOUDFLARE_ACCOUNT_ID"])),
        access_key_id=dict(type="str", no_log=False, fallback=(env_fallback, ["R2_ACCESS_KEY_ID"])),
        secret_access_key=dict(type="str", no_log=True, fallback=(env_fallback, ["R2_SECRET_ACCESS_KEY"])),
        endpoint_url=dict(type="str", fallback=(env_fallback, ["R2_ENDPOINT_URL"])),
        api_token=dict(type="str", no_log=True, fallback=(env_fallback, ["CLOUDFLARE_API_TOKEN"])),
        api_url=dict(type="str", default=DEFAULT_API_URL, fallback=(env_fallback, ["CLOUDFLARE_API_URL"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
    )


def _import_boto():
    """boto3 and botocore: a fifth of a second to import, not paid by site_spec or r2_bucket's REST calls."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
    return SimpleNamespace(boto3=boto3, config=Config, boto_error=BotoCoreError, client_error=ClientError)


BOTO = LazyImport(_import_boto)


def require_boto3():
    """Fail the module cleanly when boto3 is not installed."""
    if BOTO.load() is None:
        raise Failure(missing_required_lib("boto3"), exception=BOTO.error)


def s3_client_for(ctx, jurisdiction=None):
    """The S3 client for objects; requires the R2 access key pair and an account id or ``endpoint_url``."""
    params = ctx.params
    for name in ("access_key_id", "secret_access_key"):
        if not (params[name] or "").strip():
            raise SpecError(name, "an R2 API token's %s is required (or R2_%s in the environment)"
                            % (name.replace("_", " "), name.upper()))
    if not params["endpoint_url"] and not (params["account_id"] or "").strip():
        raise SpecError("account_id", "the account id (or endpoint_url) is required to reach R2's S3 endpoint")
    return R2Client(account_id=params["account_id"], access_key_id=params["access_key_id"],
                    secret_access_key=params["secret_access_key"], endpoint_url=params["endpoint_url"],
                    jurisdiction=jurisdiction, validate_certs=params["validate_certs"],
                    timeout=params["timeout"], check_mode=ctx.check_mode)


def endpoint_for(account_id, jurisdiction=None):
    """R2's S3 endpoint of an account; non-default jurisdictions have their own host."""
    account = (account_id or "").strip().lower()
    if not ACCOUNT_ID.match(account):
        raise SpecError("account_id", "32 hexadecimal characters expected, got %s" % json.dumps(account_id))
    suffix = "." + jurisdiction if jurisdiction and jurisdiction != "default" else ""
    return ENDPOINT_TEMPLATE.format(account=account, jurisdiction=suffix)


# -- the S3 client ---------------------------------------------------------------------------


class R2Client:
    """R2's S3 endpoint through boto3; every failure becomes an :class:`ApiError` without secrets."""

    def __init__(self, access_key_id, secret_access_key, account_id=None, endpoint_url=None, jurisdiction=None,
                 validate_certs=True, timeout=30, check_mode=False):
        self.endpoint_url = (endpoint_url or endpoint_for(account_id, jurisdiction)).rstrip("/")
        self.check_mode = check_mode
        self._secrets = [secret for secret in (secret_access_key,) if secret]
        boto = BOTO.load()
        self._errors = (boto.client_error, boto.boto_error)
        self.s3 = boto.boto3.client(
            "s3", endpoint_url=self.endpoint_url, region_name=REGION, aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key, verify=validate_certs,
            config=boto.config(
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                s3={"addressing_style": "path"},
                connect_timeout=min(MAX_CONNECT_TIMEOUT, timeout),
                read_timeout=timeout,
                retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
            ),
        )

    def redact(self, text):
        for secret in self._secrets:
            text = text.replace(secret, "********")
        return text

    def _call(self, operation, method, path, fn, **kwargs):
        """``fn(**kwargs)``, refusing writes in check mode and mapping boto errors to ApiError."""
        if self.check_mode and method not in ("GET", "HEAD"):
            raise CheckModeViolation(SERVICE, operation, method, path,
                                     message="refusing to send a mutating request in check mode")
        try:
            return fn(**kwargs)
        except self._errors[0] as err:
            error = err.response.get("Error") or {}
            status = (err.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
            message = ("%s %s" % (error.get("Code", ""), error.get("Message", ""))).strip()
            raise ApiError(SERVICE, operation, method, path, status=status, message=self.redact(message)) from None
        except self._errors[1] as err:
            raise ApiError(SERVICE, operation, method, path, message=self.redact(str(err))) from None

    def list_objects(self, bucket, prefix=""):
        """``{key: {"etag", "size", "last_modified"}}`` of the objects under ``prefix``."""
        objects, kwargs = {}, {"Bucket": bucket, "Prefix": prefix, "MaxKeys": LIST_PAGE_SIZE}
        while True:
            page = self._call("list objects", "GET", "/%s" % bucket, self.s3.list_objects_v2, **kwargs)
            for item in page.get("Contents") or []:
                objects[item["Key"]] = {"etag": item.get("ETag", "").strip('"'), "size": item.get("Size"),
                                        "last_modified": _iso(item.get("LastModified"))}
            if not page.get("IsTruncated"):
                return objects
            kwargs["ContinuationToken"] = page["NextContinuationToken"]

    def check_access(self, bucket):
        """Prove the key pair with one listing of at most one key: True when the bucket exists, False when it
        does not exist yet (the key pair was accepted); ApiError when R2 refuses the keys."""
        try:
            self._call("list objects", "GET", "/%s" % bucket, self.s3.list_objects_v2, Bucket=bucket, MaxKeys=1)
        except ApiError as err:
            if err.status == 404 or "NoSuchBucket" in (err.message or ""):
                return False
            raise
        return True

    def head_object(self, bucket, key):
        """The object's ``etag``, ``size``, ``content_type``, ``cache_control`` and ``metadata``; None if absent."""
        try:
            head = self._call("read object", "HEAD", "/%s/%s" % (bucket, key), self.s3.head_object,
                              Bucket=bucket, Key=key)
        except ApiError as err:
            if err.status == 404:
                return None
            raise
        return {"etag": head.get("ETag", "").strip('"'), "size": head.get("ContentLength"),
                "content_type": head.get("ContentType"), "cache_control": head.get("CacheControl"),
                "metadata": head.get("Metadata") or {}}

    def put_object(self, bucket, key, body, content_type, cache_control=None, metadata=None):
        """Upload one object in a single PUT (its ETag is then the MD5 of the content)."""
        kwargs = {"Bucket": bucket, "Key": key, "Body": body, "ContentType": content_type,
                  "Metadata": metadata or {}}
        if cache_control:
            kwargs["CacheControl"] = cache_control
        result = self._call("upload object", "PUT", "/%s/%s" % (bucket, key), self.s3.put_object, **kwargs)
        return result.get("ETag", "").strip('"')

    def delete_object(self, bucket, key):
        self._call("delete object", "DELETE", "/%s/%s" % (bucket, key), self.s3.delete_object,
                   Bucket=bucket, Key=key)

    def empty_bucket(self, bucket):
        """Delete every object of the bucket (one DELETE each: the batch form needs a checksum R2 refuses)."""
        keys = sorted(self.list_objects(bucket))
        run_concurrently(lambda key: self.delete_object(bucket, key), keys, DELETE_WORKERS)
        return keys


def run_concurrently(fn, items, workers):
    """``fn(item)`` for every item with at most ``workers`` at a time; the first error is raised
    once all have finished (so a rerun finds every other item done)."""
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        futures = [pool.submit(fn, item) for item in items]
    errors = [future.exception() for future in futures if future.exception() is not None]
    if errors:
        raise errors[0]
    return [future.result() for future in futures]


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


# -- bucket names ----------------------------------------------------------------------------


def validate_bucket_name(value, field="name"):
    """R2's rule: 3..63 lowercase letters, digits and hyphens, starting and ending with a letter or digit."""
    if not isinstance(value, str) or not BUCKET_NAME.match(value):
        raise SpecError(field, "3..63 lowercase letters, digits or hyphens expected, starting and ending with "
                               "a letter or digit, got %s" % json.dumps(value, default=str))
    return value


# -- objects ---------------------------------------------------------------------------------


def _content_type(item, key, src, base):
    content_type = item.get("content_type")
    if content_type is not None:
        if not isinstance(content_type, str) or "/" not in content_type:
            raise SpecError(base + ".content_type", "a media type such as text/css expected, got %s"
                            % json.dumps(content_type, default=str))
        return content_type
    return mimetypes.guess_type(key)[0] or (src and mimetypes.guess_type(src)[0]) or DEFAULT_CONTENT_TYPE


def _metadata(value, base):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(base + ".metadata", "a dict of name: value expected")
    metadata = {}
    for name, item in value.items():
        if not isinstance(name, str) or not METADATA_NAME.match(name):
            raise SpecError(base + ".metadata", "names of letters, digits, '-' and '_' expected, got %s"
                            % json.dumps(name, default=str))
        if name.lower() == HASH_METADATA:
            raise SpecError(base + ".metadata", "%s is set by the module (the content's SHA-256)" % HASH_METADATA)
        metadata[name.lower()] = str(item)
    return metadata


def _digests(src, content):
    md5, sha256 = hashlib.md5(), hashlib.sha256()
    if content is not None:
        data = content.encode("utf-8")
        md5.update(data)
        sha256.update(data)
        return md5.hexdigest(), sha256.hexdigest(), len(data)
    size = 0
    with open(src, "rb") as handle:
        for chunk in iter(lambda: handle.read(READ_CHUNK), b""):
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return md5.hexdigest(), sha256.hexdigest(), size


def _source(item, base):
    src, content = item.get("src"), item.get("content")
    if (src is None) == (content is None):
        raise SpecError(base, "exactly one of src (a file) or content (text) expected")
    if content is not None:
        if not isinstance(content, str):
            raise SpecError(base + ".content", "text expected")
        return None, content
    if not isinstance(src, str) or not src:
        raise SpecError(base + ".src", "a file path expected")
    src = os.path.expanduser(src)
    if not os.path.isfile(src):
        raise SpecError(base + ".src", "no such file: %s" % src)
    if not os.access(src, os.R_OK):
        raise SpecError(base + ".src", "file not readable: %s" % src)
    return src, None


def _key(item, base):
    key = item.get("key")
    if not isinstance(key, str) or not key or key.startswith("/"):
        raise SpecError(base + ".key", "an object key such as assets/logo.svg expected (no leading /), got %s"
                        % json.dumps(key, default=str))
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise SpecError(base + ".key", "at most %d bytes expected" % MAX_KEY_BYTES)
    return key


def validate_objects(items, field="objects"):
    """Validate the objects to upload (files must exist) and hash them; raises SpecError before any request."""
    if not isinstance(items, list) or not items:
        raise SpecError(field, "a non-empty list of objects expected")
    objects, seen = [], {}
    for position, item in enumerate(items):
        base = "%s[%d]" % (field, position)
        if not isinstance(item, dict):
            raise SpecError(base, "a dict with key and src or content expected")
        unknown = sorted(set(item) - {"key", "src", "content", "content_type", "cache_control", "metadata"})
        if unknown:
            raise SpecError(base, "unknown field(s): %s" % ", ".join(unknown))
        key = _key(item, base)
        if key in seen:
            raise SpecError(base + ".key", "duplicate of %s[%d].key (%s)" % (field, seen[key], key))
        seen[key] = position
        src, content = _source(item, base)
        cache_control = item.get("cache_control")
        if cache_control is not None and (not isinstance(cache_control, str) or "\n" in cache_control):
            raise SpecError(base + ".cache_control", "a Cache-Control header value expected")
        objects.append({"key": key, "src": src, "content": content,
                        "content_type": _content_type(item, key, src, base), "cache_control": cache_control,
                        "metadata": _metadata(item.get("metadata"), base)})
    for obj in objects:
        obj["md5"], obj["sha256"], obj["size"] = _digests(obj["src"], obj["content"])
    return objects


def is_current(obj, remote, head=None):
    """True when the remote object holds the same content: its ETag is the MD5 (single-part upload)
    or, for multipart ETags, its ``sha256`` metadata (from ``head``) is the content's SHA-256."""
    if remote is None:
        return False
    if remote.get("etag") == obj["md5"]:
        return True
    return head is not None and (head.get("metadata") or {}).get(HASH_METADATA) == obj["sha256"]


def common_prefix(keys):
    """The longest prefix all keys share: one listing under it covers every key."""
    return os.path.commonprefix(list(keys))
