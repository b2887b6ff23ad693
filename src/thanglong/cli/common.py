"""CLI helpers; they live in the kernel so that domain CLIs can use them without importing upward."""

from thanglong.core.cliutil import (
    console,
    err_console,
    fail,
    json_option,
    load_settings,
    open_platform,
    print_json,
)

__all__ = ["console", "err_console", "fail", "json_option", "load_settings", "open_platform", "print_json"]
