"""Mosquitto 2's dynamic-security plugin configuration for the fleet, generated from the registry.

The plugin (mosquitto_dynamic_security.so) reads one JSON file at start: `defaultACLAccess`, `roles` (each
a list of ACLs: `acltype`, `topic`, `priority`, `allow`) and `clients` (user name, PBKDF2-SHA512 password
as base64 `password` + `salt` + `iterations`, and the roles they hold). Unlike an `acl_file`, its
`subscribeLiteral` / `subscribePattern` ACLs are checked at SUBSCRIBE, so a terminal subscribing to
another commune's topic gets SUBACK 0x87 instead of a grant that delivers nothing.

Mosquitto 2.0's plugin has no %u substitution in ACL topics, so what depends on the serial (the
terminal's command, status and receipt topics) is a role per terminal; what the terminals of a commune
share (the city and commune announce topics) is a role per commune. Every access is denied by default
(unsubscribing aside) and granted by a role. Pure generation: no database, no broker.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Any

from thanglong.domains.terminals.fleet.broker import BrokerUser, check_name
from thanglong.domains.terminals.wire import topics

CONFIG_FILE = "dynamic-security.json"
MOSQUITTO_CONFIG_FILE = "mosquitto-dynsec.conf"
PLUGIN = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so"
PLATFORM_ROLE = "thanglong-platform"
ADMIN_ROLE = "dynsec-admin"
# struct mosquitto_pw in Mosquitto 2.0 (src/password_mosq.h): a 12-byte salt and a SHA-512 hash. A client
# whose salt or hash has another length is skipped by the plugin without a word, so they are checked here.
SALT_BYTES = 12
HASH_BYTES = 64
DEFAULT_ACCESS = {
    "publishClientSend": False,
    "publishClientReceive": False,
    "subscribe": False,
    "unsubscribe": True,
}


def commune_role(code: str) -> str:
    """Return the role name of a commune's terminals."""
    return f"commune-{code}"


def terminal_role(serial: str) -> str:
    """Return the role name of one terminal's own topics."""
    return f"terminal-{serial}"


def password_fields(password_hash: str) -> dict[str, Any]:
    """Turn a mosquitto_passwd `$7$iterations$salt$hash` into the plugin's password, salt and iterations."""
    parts = password_hash.split("$")
    if len(parts) != 5 or parts[1] != "7":
        raise ValueError("not a $7$ password hash")
    try:
        iterations = int(parts[2])
        salt = base64.b64decode(parts[3], validate=True)
        digest = base64.b64decode(parts[4], validate=True)
    except (ValueError, binascii.Error):
        raise ValueError("not a $7$ password hash") from None
    if iterations < 1 or len(salt) != SALT_BYTES or len(digest) != HASH_BYTES:
        raise ValueError(f"a $7$ hash needs a {SALT_BYTES}-byte salt and a {HASH_BYTES}-byte SHA-512 hash")
    return {
        "password": base64.b64encode(digest).decode(),
        "salt": base64.b64encode(salt).decode(),
        "iterations": iterations,
    }


def _acl(acltype: str, topic: str) -> dict[str, Any]:
    return {"acltype": acltype, "topic": topic, "priority": 0, "allow": True}


def _receive(*topic_filters: str) -> list[dict[str, Any]]:
    """Grant subscribing to these filters (literally) and receiving what matches them."""
    acls = []
    for topic in topic_filters:
        acls += [_acl("subscribeLiteral", topic), _acl("publishClientReceive", topic)]
    return acls


def _platform_role() -> dict[str, Any]:
    root = topics.ROOT
    inbound = (topics.STATUS_FILTER, topics.RECEIPT_FILTER)
    acls = [_acl("publishClientSend", f"{root}/announce/#"), _acl("publishClientSend", f"{root}/command/#")]
    for topic in inbound:
        # Plain and shared subscriptions (`$share/<group>/...`, how several workers split the load).
        acls += [
            _acl("subscribePattern", topic),
            _acl("subscribePattern", f"$share/+/{topic}"),
            _acl("publishClientReceive", topic),
        ]
    return {
        "rolename": PLATFORM_ROLE,
        "textname": "Thăng Long platform",
        "textdescription": "Publishes announcements and commands; reads statuses and receipts.",
        "acls": acls,
    }


def _admin_role() -> dict[str, Any]:
    # As Mosquitto's documentation gives it: the $CONTROL API of the plugin and nothing else.
    control = "$CONTROL/dynamic-security/#"
    return {
        "rolename": ADMIN_ROLE,
        "textname": "Dynamic security administrator",
        "acls": [
            _acl("publishClientSend", control),
            _acl("publishClientReceive", control),
            _acl("subscribePattern", control),
            _acl("unsubscribePattern", control),
        ],
    }


def generate(
    terminals: Iterable[BrokerUser],
    *,
    platform_user: str,
    platform_password_hash: str,
    admin_user: str | None = None,
    admin_password_hash: str | None = None,
) -> dict[str, Any]:
    """Return the plugin's configuration: default access, roles and clients (terminals sorted by serial)."""
    check_name(platform_user)
    roles = [_platform_role()]
    clients: list[dict[str, Any]] = [
        {
            "username": platform_user,
            "textname": "Thăng Long platform",
            **password_fields(platform_password_hash),
            "roles": [{"rolename": PLATFORM_ROLE}],
        }
    ]
    if admin_user is not None:
        check_name(admin_user)
        if admin_password_hash is None or admin_user == platform_user:
            raise ValueError("the dynamic-security administrator needs its own user name and a password")
        roles.append(_admin_role())
        clients.append(
            {
                "username": admin_user,
                **password_fields(admin_password_hash),
                "roles": [{"rolename": ADMIN_ROLE}],
            }
        )
    communes: set[str] = set()
    for terminal in sorted(terminals, key=lambda t: t.serial):
        check_name(terminal.serial)
        if terminal.serial in (platform_user, admin_user):
            raise ValueError(f"a terminal may not have the platform's user name {terminal.serial!r}")
        try:
            password = password_fields(terminal.password_hash)
        except ValueError as exc:
            raise ValueError(f"terminal {terminal.serial}: {exc}") from None
        communes.add(terminal.commune_code)
        serial = terminal.serial
        roles.append(
            {
                "rolename": terminal_role(serial),
                "acls": [
                    *_receive(topics.command(serial)),
                    _acl("publishClientSend", topics.status(serial)),
                    _acl("publishClientSend", topics.receipt(serial)),
                ],
            }
        )
        clients.append(
            {
                "username": serial,
                **password,
                "roles": [
                    {"rolename": commune_role(terminal.commune_code)},
                    {"rolename": terminal_role(serial)},
                ],
            }
        )
    for code in sorted(communes):
        check_name(code)
        roles.append(
            {
                "rolename": commune_role(code),
                "textdescription": f"Terminals of commune {code}: the city's and the commune's messages.",
                "acls": _receive(topics.announce_city(), topics.announce_commune(code)),
            }
        )
    return {"defaultACLAccess": dict(DEFAULT_ACCESS), "clients": clients, "groups": [], "roles": roles}


def mosquitto_config(config_path: str, port: int = 1883, bind: str = "0.0.0.0") -> str:  # noqa: S104 - a broker listens
    """Return a Mosquitto configuration loading the plugin with `config_path` (production adds TLS)."""
    return (
        f"per_listener_settings false\nlistener {port} {bind}\nallow_anonymous false\n"
        f"plugin {PLUGIN}\nplugin_opt_config_file {config_path}\n"
    )
