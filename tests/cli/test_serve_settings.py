"""What `serve` derives from its settings: the public address and which proxies it believes."""

from __future__ import annotations

from pathlib import Path

from thanglong.cli.serve import listening_settings, server_config
from thanglong.core.config import Settings


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path, **values)  # type: ignore[arg-type]


def test_the_public_address_follows_the_port_unless_configured(tmp_path: Path) -> None:
    assert (
        listening_settings(_settings(tmp_path), "127.0.0.1", 8080).public_base_url == "http://127.0.0.1:8080"
    )
    assert listening_settings(_settings(tmp_path), "0.0.0.0", 9000).public_base_url == "http://127.0.0.1:9000"  # noqa: S104
    assert listening_settings(_settings(tmp_path), "::1", 8000).public_base_url == "http://[::1]:8000"
    configured = _settings(tmp_path, public_base_url="https://dichvucong.hanoi.gov.vn")
    assert (
        listening_settings(configured, "127.0.0.1", 8080).public_base_url == "https://dichvucong.hanoi.gov.vn"
    )


def test_forwarded_headers_are_believed_only_from_named_proxies(tmp_path: Path) -> None:
    default = server_config(object(), _settings(tmp_path), "127.0.0.1", 8000)
    assert default.proxy_headers is False
    behind_nginx = server_config(
        object(), _settings(tmp_path, forwarded_allow_ips="10.0.0.5"), "127.0.0.1", 8000
    )
    assert behind_nginx.proxy_headers is True and behind_nginx.forwarded_allow_ips == "10.0.0.5"
