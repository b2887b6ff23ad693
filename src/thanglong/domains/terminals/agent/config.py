"""The terminal's configuration file (TOML): where the broker is, who the terminal is, whom it trusts.

An example with every key is in docs/terminals-agent.md. Paths are read relative to the file's folder.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from thanglong.core.mqtt import parse_url
from thanglong.domains.terminals.agent.mqttio import MQTT_VERSIONS, MqttVersion
from thanglong.domains.terminals.wire.envelope import key_id, load_public_key

CONSOLE = "console"


class ConfigError(ValueError):
    """The configuration cannot be used; the message says why in Vietnamese and English."""


@dataclass(frozen=True)
class AgentConfig:
    """A terminal's settings."""

    broker_url: str
    serial: str
    password: str | None = field(repr=False)
    commune_code: str
    keys: Mapping[str, Ed25519PublicKey] = field(repr=False)
    state_dir: Path
    audio_output: str = CONSOLE
    display_file: Path | None = None
    display_seconds: float = 5.0
    jitter_min_s: float = 0.0
    jitter_max_s: float = 5.0
    heartbeat_s: float = 60.0
    firmware_version: str = "0.0.0"
    session_expiry_s: int = 7 * 24 * 3600
    fetch_timeout_s: float = 20.0
    max_audio_bytes: int = 20 * 1024 * 1024
    volume_command: str | None = None
    update_command: str | None = None
    keepalive_s: int = 60
    mqtt_version: MqttVersion = "5"


def _bad(vi: str, en: str) -> ConfigError:
    return ConfigError(f"{vi} / {en}")


def _get(raw: Mapping[str, Any], name: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
    value = raw.get(name, default)
    if value is ...:
        raise _bad(f"thiếu khoá {name!r}", f"missing key {name!r}")
    wrong_bool = isinstance(value, bool) and kind is not bool
    if (value is not None and not isinstance(value, kind)) or wrong_bool:
        raise _bad(f"khoá {name!r} sai kiểu", f"key {name!r} has the wrong type")
    return value


def load(path: Path) -> AgentConfig:
    """Read and check a configuration file; raise ConfigError with the reason."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _bad(f"không đọc được {path}: {exc.strerror}", f"cannot read {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _bad(f"{path} không phải TOML hợp lệ: {exc}", f"{path} is not valid TOML: {exc}") from None
    return from_mapping(raw, path.parent)


def from_mapping(raw: Mapping[str, Any], base: Path) -> AgentConfig:
    """Build a configuration from parsed TOML, reading key files relative to `base`."""
    broker_url = _get(raw, "broker_url", str)
    try:
        parse_url(broker_url)
    except ValueError as exc:
        raise _bad(f"broker_url không hợp lệ: {exc}", f"broker_url is not valid: {exc}") from None
    serial = _get(raw, "serial", str)
    if not serial or any(c in serial for c in "/+#") or not serial.isprintable():
        raise _bad("serial không hợp lệ", "serial must be a non-empty name without / + #")
    commune = _get(raw, "commune_code", str)
    if not (len(commune) == 5 and commune.isdigit()):
        raise _bad("commune_code phải là mã xã 5 chữ số", "commune_code must be a 5-digit commune code")
    keys = _keys(_get(raw, "public_keys", list), base)
    lo = float(_get(raw, "jitter_min_s", (int, float), 0.0))
    hi = float(_get(raw, "jitter_max_s", (int, float), 5.0))
    if not 0 <= lo <= hi:
        raise _bad("cần 0 ≤ jitter_min_s ≤ jitter_max_s", "need 0 <= jitter_min_s <= jitter_max_s")
    heartbeat = float(_get(raw, "heartbeat_s", (int, float), 60.0))
    if heartbeat <= 0:
        raise _bad("heartbeat_s phải dương", "heartbeat_s must be positive")
    display = _get(raw, "display_file", str, None)
    version = _get(raw, "mqtt_version", str, "5")
    if version not in MQTT_VERSIONS:
        raise _bad(
            'mqtt_version phải là "5" hoặc "3.1.1"',
            'mqtt_version must be "5" or "3.1.1" (3.1.1 for the embedded broker)',
        )
    return AgentConfig(
        broker_url=broker_url,
        serial=serial,
        password=_get(raw, "password", str, None),
        commune_code=commune,
        keys=keys,
        state_dir=base / _get(raw, "state_dir", str),
        audio_output=_get(raw, "audio_output", str, CONSOLE),
        display_file=base / display if display else None,
        display_seconds=float(_get(raw, "display_seconds", (int, float), 5.0)),
        jitter_min_s=lo,
        jitter_max_s=hi,
        heartbeat_s=heartbeat,
        firmware_version=_get(raw, "firmware_version", str, "0.0.0"),
        session_expiry_s=int(_get(raw, "session_expiry_s", int, 7 * 24 * 3600)),
        fetch_timeout_s=float(_get(raw, "fetch_timeout_s", (int, float), 20.0)),
        max_audio_bytes=int(_get(raw, "max_audio_bytes", int, 20 * 1024 * 1024)),
        volume_command=_get(raw, "volume_command", str, None),
        update_command=_get(raw, "update_command", str, None),
        keepalive_s=int(_get(raw, "keepalive_s", int, 60)),
        mqtt_version=version,
    )


def _keys(paths: list[Any], base: Path) -> dict[str, Ed25519PublicKey]:
    """Read the trusted platform keys (several during a key rotation), by key id."""
    if not paths or not all(isinstance(p, str) for p in paths):
        raise _bad("public_keys cần ít nhất một tệp PEM", "public_keys needs at least one PEM file")
    return read_keys([base / p for p in paths])


def read_keys(paths: list[Path]) -> dict[str, Ed25519PublicKey]:
    """Read Ed25519 public keys from PEM files, by key id; raise ConfigError for an unusable file."""
    keys: dict[str, Ed25519PublicKey] = {}
    for path in paths:
        try:
            key = load_public_key(path.read_bytes())
        except OSError as exc:
            raise _bad(f"không đọc được khoá {path}", f"cannot read key {path}: {exc.strerror}") from None
        except ValueError:
            raise _bad(
                f"{path} không phải khoá công khai Ed25519", f"{path} is not an Ed25519 public key"
            ) from None
        keys[key_id(key)] = key
    return keys
