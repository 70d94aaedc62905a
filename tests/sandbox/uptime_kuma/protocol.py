"""Uptime Kuma emulator: the wire protocol's constants and helpers (versions, messages, TOTP, log redaction).

Shared by the resource modules of this package; see ``__init__.py`` for the package's layout.
"""

import base64
import hashlib
import hmac
import re
import struct
import time

DEFAULT_VERSION = "2.5.3"
SANDBOX_USERNAME = "admin"
SANDBOX_PASSWORD = "sandbox-kuma-password1"

NOT_LOGGED_IN = "You are not logged in."
MIN_INTERVAL_LEGACY = 20
MAX_INTERVAL_LEGACY = 2073600
MIN_INTERVAL_2_1 = 1
TOTP_STEP = 30
TOTP_WINDOW = 1  # steps accepted either side of now, as the server's notp options
STATUS_PAGE_SLUG = re.compile(r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")
ANALYTICS_TYPES = (None, "google", "umami", "plausible", "matomo", "rybbit")
MAINTENANCE_STRATEGIES = (
    "manual", "single", "recurring-interval", "recurring-weekday", "recurring-day-of-month", "cron",
)

# Callback messages: (1.23 English, 2.x i18n key).
MESSAGES = {
    "added": ("Added Successfully.", "successAdded"),
    "saved": ("Saved.", "Saved."),
    "edited": ("Edited Successfully.", "successEdited"),
    "deleted": ("Deleted Successfully.", "successDeleted"),
    "paused": ("Paused Successfully.", "successPaused"),
    "resumed": ("Resumed Successfully.", "successResumed"),
    "bad_credentials": ("Incorrect username or password.", "authIncorrectCreds"),
    "bad_totp": ("Invalid Token!", "authInvalidToken"),
    "bad_jwt": ("Invalid token.", "authInvalidToken"),
    "user_gone": ("The user is inactive or deleted.", "authUserInactiveOrDeleted"),
}
WEAK_PASSWORD = ("Password is too weak. It should contain alphabetic and numeric characters. "
                 "It must be at least 6 characters in length.")
ALREADY_SET_UP = ("Uptime Kuma has been initialized. If you want to run setup again, "
                  "please delete the database.")

# Columns of the monitor table in 1.23, by wire name -> value of a row that does
# not get the column (None: nullable).  ``accepted_statuscodes`` and
# ``notificationIDList`` are not columns: the server maps them itself.
MONITOR_COLUMNS_1_23 = {
    "name": None, "description": None, "parent": None, "type": None, "active": True, "weight": 2000,
    "url": None, "method": "GET", "body": None, "headers": None, "httpBodyEncoding": None,
    "hostname": None, "port": None, "interval": 20, "retryInterval": 0, "resendInterval": 0,
    "maxretries": 0, "timeout": 0, "keyword": None, "invertKeyword": False, "upsideDown": False,
    "ignoreTls": False, "expiryNotification": True, "maxredirects": 10,
    "dns_resolve_type": "A", "dns_resolve_server": "1.1.1.1", "dns_last_result": None,
    "pushToken": None, "proxyId": None, "authMethod": None, "basic_auth_user": None,
    "basic_auth_pass": None, "authDomain": None, "authWorkstation": None,
    "oauth_client_id": None, "oauth_client_secret": None, "oauth_token_url": None,
    "oauth_scopes": None, "oauth_auth_method": None, "tlsCa": None, "tlsCert": None, "tlsKey": None,
    "docker_container": None, "docker_host": None, "mqttTopic": "", "mqttSuccessMessage": "",
    "mqttUsername": "", "mqttPassword": "", "databaseConnectionString": None, "databaseQuery": None,
    "grpcUrl": None, "grpcProtobuf": None, "grpcBody": None, "grpcMetadata": None, "grpcMethod": None,
    "grpcServiceName": None, "grpcEnableTls": False, "radiusUsername": None, "radiusPassword": None,
    "radiusCallingStationId": None, "radiusCalledStationId": None, "radiusSecret": None,
    "packetSize": 56, "game": None, "gamedigGivenPortOnly": True, "jsonPath": None,
    "expectedValue": None, "kafkaProducerTopic": None, "kafkaProducerBrokers": None,
    "kafkaProducerSsl": False, "kafkaProducerAllowAutoTopicCreation": False,
    "kafkaProducerMessage": None, "kafkaProducerSaslOptions": None,
}
# Columns added by 2.x: wire name -> (first release with it, default).
MONITOR_COLUMNS_2 = {
    "conditions": ((2, 0), None), "ipFamily": ((2, 0), None), "cacheBust": ((2, 0), False),
    "retryOnlyOnStatusCodeFailure": ((2, 0), False), "bearer_token": ((2, 0), None),
    "oauth_audience": ((2, 0), None), "domainExpiryNotification": ((2, 0), False),
    "saveResponse": ((2, 0), False), "saveErrorResponse": ((2, 0), False),
    "responseMaxLength": ((2, 0), 1024), "responsecheck": ((2, 0), None), "subtype": ((2, 0), None),
    "wsSubprotocol": ((2, 0), None), "wsIgnoreSecWebsocketAcceptHeader": ((2, 0), False),
    "remoteBrowsersToggle": ((2, 0), False), "remote_browser": ((2, 0), None),
    "screenshot_delay": ((2, 0), None), "gamedigToken": ((2, 0), None), "protocol": ((2, 0), None),
    "jsonPathOperator": ((2, 0), None), "snmpOid": ((2, 0), None), "snmpVersion": ((2, 0), None),
    "snmp_v3_username": ((2, 0), None), "ping_count": ((2, 0), 1), "ping_numeric": ((2, 0), True),
    "ping_per_request_timeout": ((2, 0), 2), "mqttWebsocketPath": ((2, 0), None),
    "mqttCheckType": ((2, 0), None), "rabbitmqNodes": ((2, 0), None), "rabbitmqUsername": ((2, 0), None),
    "rabbitmqPassword": ((2, 0), None), "smtpSecurity": ((2, 0), None),
    "expected_tls_alert": ((2, 0), None), "system_service_name": ((2, 1), None),
    "ntpStratumThreshold": ((2, 5), None), "ntpTimeOffsetThreshold": ((2, 5), None),
    "ntpRootDispersionThreshold": ((2, 5), None),
}
NOT_NULL_WITHOUT_DEFAULT_2 = ("conditions",)
NOT_EDITABLE = ("active", "weight", "dns_last_result")
NON_COLUMN_FIELDS = ("accepted_statuscodes", "notificationIDList")  # mapped by the server itself
BOOLEAN_COLUMNS = frozenset({
    "active", "invertKeyword", "upsideDown", "ignoreTls", "expiryNotification", "grpcEnableTls",
    "gamedigGivenPortOnly", "kafkaProducerSsl", "kafkaProducerAllowAutoTopicCreation", "cacheBust",
    "retryOnlyOnStatusCodeFailure", "domainExpiryNotification", "saveResponse", "saveErrorResponse",
    "wsIgnoreSecWebsocketAcceptHeader", "remoteBrowsersToggle", "ping_numeric",
})

# Event-log redaction: keys that hold secrets, and secret positional arguments.
SECRET_KEY = re.compile(r"pass|secret|token|apikey|key$|connectionstring", re.IGNORECASE)
SECRET_POSITIONS = {
    "setup": {1}, "loginByToken": {0}, "prepare2FA": {0}, "save2FA": {0}, "disable2FA": {0},
    "verifyToken": {0, 1}, "setSettings": {1},
}
REDACTED = "<redacted>"
LOGGED_STRING_MAX = 200

PUBLIC_EVENTS = frozenset({"needSetup", "setup", "login", "loginByToken", "logout"})


class KumaError(Exception):
    """A handler failure: acked as ``{ok: false, msg}`` like the server's try/catch."""

    def __init__(self, msg):
        super().__init__(msg)
        self.msg = msg


# -- version, TOTP, JWT ------------------------------------------------------------


def release(version):
    """``"2.0.0-beta.2"`` -> ``(2, 0, 0)``: only the release segment counts."""
    match = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?", str(version))
    if not match:
        raise ValueError(f"version: 'X.Y.Z' expected, got {version!r}")
    parsed = tuple(int(part or 0) for part in match.groups())
    if parsed[0] not in (1, 2):
        raise ValueError(f"version: only 1.x and 2.x are emulated, got {version!r}")
    return parsed


def totp(secret, at=None):
    """RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) of a base32 ``secret`` at unix time ``at``."""
    return _hotp(_base32_key(secret), int((time.time() if at is None else at) // TOTP_STEP))


def _base32_key(secret):
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def _hotp(key, counter):
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def _totp_matches(secret, code, now):
    counter = int(now // TOTP_STEP)
    key = _base32_key(secret)
    return any(
        hmac.compare_digest(_hotp(key, counter + step), str(code))
        for step in range(-TOTP_WINDOW, TOTP_WINDOW + 1)
    )


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _password_hash(password):
    return hashlib.sha256(password.encode()).hexdigest()


def _snake(column):
    """The SQLite column name the server's ORM derives from a wire name."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", column).lower()


def _as_id(value):
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _summarise(value):
    """A copy of an event argument that is safe and short enough for the log."""
    if isinstance(value, dict):
        return {key: REDACTED if SECRET_KEY.search(str(key)) and item not in (None, "")
                else _summarise(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_summarise(item) for item in value]
    if isinstance(value, str) and len(value) > LOGGED_STRING_MAX:
        return value[:LOGGED_STRING_MAX] + "..."
    return value


def summarise_args(event, args):
    hidden = SECRET_POSITIONS.get(event, set())
    return [REDACTED if index in hidden else _summarise(arg) for index, arg in enumerate(args)]
