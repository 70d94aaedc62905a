# Copyright: (c) 2026, fabrik.deploy contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection and authentication options of the Uptime Kuma modules."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Uptime Kuma server, for example V(https://status.example.com).
      - If not set, the value of the E(UPTIME_KUMA_URL) environment variable is used.
    type: str
    required: true
  username:
    description:
      - User to log in as, with O(password).
      - If not set, the value of the E(UPTIME_KUMA_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username). Never logged.
      - If not set, the value of the E(UPTIME_KUMA_PASSWORD) environment variable is used.
    type: str
  token:
    description:
      - A login token (the JWT the server hands out at login) used instead of O(username) and O(password).
        Never logged.
      - If not set, the value of the E(UPTIME_KUMA_TOKEN) environment variable is used.
    type: str
  totp:
    description:
      - The current 6-digit code, when two-factor authentication is on for the user.
      - A code is valid for about 30 seconds and the server refuses the code of the previous login,
        so prefer O(totp_secret) for automation.
    type: str
  totp_secret:
    description:
      - The base32 secret shown when two-factor authentication was set up; the module computes the code.
        Never logged.
      - If not set, the value of the E(UPTIME_KUMA_TOTP_SECRET) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for the connection and for each answer of the server.
    type: int
    default: 30
requirements:
  - uptime-kuma-api2 >= 2.9, < 3 (Python library)
notes:
  - Uptime Kuma has no REST API for its configuration; the modules use the web interface's Socket.IO
    channel, log in once per task and work with Uptime Kuma 1.23.x and 2.x (the server version is read
    after login and the requests are adapted to it).
  - Uptime Kuma 3.x, which changes the login, is not supported yet.
"""
