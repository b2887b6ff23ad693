"""`thanglong terminals households|provision|list|broker`: the fleet from the command line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from thanglong.core.cliutil import (
    cli_actor,
    console,
    err_console,
    fail,
    json_option,
    open_platform,
    print_json,
)
from thanglong.core.errors import ThangLongError

if TYPE_CHECKING:
    from thanglong.domains.terminals.fleet.broker import BrokerUser

households_app = typer.Typer(help="Sổ hộ gia đình / the household registry.", no_args_is_help=True)
broker_app = typer.Typer(help="Quyền truy cập máy chủ MQTT / broker access control.", no_args_is_help=True)
EXIT_BAD_ROWS = 1


@households_app.command("import")
def import_households(
    file: Path = typer.Argument(
        ..., help="Tệp CSV / the CSV file (code, head_name, address, commune_code|lon,lat)."
    ),
    json_out: bool = json_option(),
) -> None:
    """Nhập hộ gia đình từ CSV, tất cả hoặc không / import households from CSV, all or nothing.

    Exit 0 when every row was imported; 1 when any row is bad (each reported with its line, nothing
    imported); 2 when the file cannot be read.
    """
    from thanglong.domains.terminals.fleet import imports  # noqa: PLC0415 - the CLI starts fast

    try:
        rows = imports.read_rows(file)
    except imports.UnreadableFile as exc:
        fail(f"không đọc được tệp / cannot read the file: {exc}")
    platform = open_platform()
    with (
        Progress(
            TextColumn("Kiểm tra và nhập / checking and importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=json_out,
        ) as progress,
        platform.uow() as uow,
    ):
        task = progress.add_task("import", total=len(rows))
        report = imports.import_rows(
            uow, actor=cli_actor(), rows=rows, progress=lambda n: progress.update(task, completed=n)
        )
    if json_out:
        print_json({"file": str(file), **report.to_dict()})
    else:
        for line in imports.iter_lines(report):
            console.print(line, highlight=False, markup=False, soft_wrap=True)
        if report.errors:
            console.print(
                f"Không nhập hộ nào: {len(report.errors)} dòng lỗi trên {report.read} / nothing imported:"
                f" {len(report.errors)} bad row(s) of {report.read}",
                highlight=False,
                markup=False,
            )
        else:
            console.print(
                f"Đã nhập {report.imported} hộ / imported {report.imported} household(s)", highlight=False
            )
    if report.errors:
        raise typer.Exit(EXIT_BAD_ROWS)


def provision(
    serial: str = typer.Option(..., "--serial", help="Số sê-ri / the terminal's serial."),
    household: str = typer.Option(..., "--household", help="Mã hộ / the household code."),
    json_out: bool = json_option(),
) -> None:
    """Cấp thiết bị cho một hộ; in mật khẩu một lần / provision a terminal; prints its password once."""
    from thanglong.domains.terminals.fleet import services  # noqa: PLC0415
    from thanglong.domains.terminals.wire import topics  # noqa: PLC0415

    platform = open_platform()
    try:
        with platform.uow() as uow:
            done = services.provision_terminal(
                uow, actor=cli_actor(), serial=serial, household_code=household
            )
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", 1)
    terminal = done.terminal
    if json_out:
        print_json(
            {
                "serial": terminal.serial,
                "household": household.strip().upper(),
                "commune_code": terminal.commune_code,
                "mqtt_username": terminal.serial,
                "mqtt_password": done.password,
                "status_topic": topics.status(terminal.serial),
            }
        )
        return
    console.print(
        f"Đã cấp thiết bị / provisioned {terminal.serial} (phường, xã / commune {terminal.commune_code})\n"
        f"Tên đăng nhập MQTT / MQTT user name: {terminal.serial}\n"
        f"Mật khẩu MQTT (chỉ hiện một lần) / MQTT password (shown once): {done.password}\n"
        "Chạy lại / run again: thanglong terminals broker acl --out DIR, rồi / then SIGHUP Mosquitto.",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


def list_terminals(
    commune: str | None = typer.Option(None, "--commune", help="Mã phường, xã / commune code."),
    status: str | None = typer.Option(
        None, "--status", help="Trạng thái / state: online|offline|provisioned|active|retired."
    ),
    page: int = typer.Option(1, "--page", min=1, help="Số trang / page number."),
    size: int = typer.Option(100, "--size", min=1, max=500, help="Số dòng mỗi trang / rows per page."),
    json_out: bool = json_option(),
) -> None:
    """Liệt kê thiết bị / list terminals."""
    from thanglong.domains.terminals.fleet import queries  # noqa: PLC0415

    platform = open_platform()
    try:
        with platform.uow() as uow:
            found = queries.list_terminals(uow, commune=commune, state=status, page=page, size=size)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    if json_out:
        print_json(
            {
                "total": found.total,
                "page": found.page,
                "size": found.size,
                "terminals": [r.to_dict() for r in found.rows],
            }
        )
        return
    for row in found.rows:
        seen = row.last_seen_at.isoformat(timespec="seconds") if row.last_seen_at else "-"
        state = "online" if row.online else row.status
        console.print(
            "\t".join(
                (
                    row.serial,
                    row.commune_code,
                    state,
                    row.firmware_version or "-",
                    seen,
                    row.household_code or "-",
                )
            ),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    console.print(
        f"{found.total} thiết bị / terminal(s), trang / page {found.page}/{found.pages}", highlight=False
    )


@broker_app.command("acl")
def broker_acl(
    out: Path = typer.Option(..., "--out", help="Thư mục ghi tệp / directory to write the files to."),
    platform_user: str | None = typer.Option(
        None,
        "--platform-user",
        help="Tên của nền tảng / the platform's user (default: from THANGLONG_MQTT_URL).",
    ),
    password_env: str | None = typer.Option(
        None,
        "--platform-password-env",
        help="Biến môi trường chứa mật khẩu / environment variable holding the platform's password.",
    ),
    fmt: str = typer.Option(
        "file",
        "--format",
        help="file: passwd + acl_file; dynsec: cấu hình plugin dynamic-security / the plugin's JSON.",
    ),
    admin_user: str | None = typer.Option(
        None, "--admin-user", help="dynsec: người quản trị $CONTROL / an administrator of the plugin."
    ),
    admin_password_env: str | None = typer.Option(
        None, "--admin-password-env", help="dynsec: biến chứa mật khẩu / variable holding its password."
    ),
    json_out: bool = json_option(),
) -> None:
    """Sinh cấu hình truy cập cho Mosquitto / generate Mosquitto's access control.

    --format file (default): a password file and an ACL file, reloaded on SIGHUP. --format dynsec: the
    dynamic-security plugin's JSON (SUBSCRIBE refused with 0x87), read when Mosquitto starts.
    """
    from thanglong.core import mqtt  # noqa: PLC0415
    from thanglong.domains.terminals.fleet import broker, queries  # noqa: PLC0415
    from thanglong.domains.terminals.fleet.passwords import hash_password  # noqa: PLC0415

    platform = open_platform()
    address = mqtt.parse_url(mqtt.client_url(platform.settings))
    user = platform_user or address.username
    secret = os.environ.get(password_env) if password_env else address.password
    if not user or not secret:
        fail(
            "cần tên và mật khẩu của nền tảng (THANGLONG_MQTT_URL=mqtt://user:pass@host"
            " hoặc --platform-user và --platform-password-env) / the platform's user and password"
            " are needed (THANGLONG_MQTT_URL or --platform-user and --platform-password-env)"
        )
    if fmt not in ("file", "dynsec"):
        fail(f"--format phải là file hoặc dynsec / --format must be file or dynsec, not {fmt!r}")
    with platform.uow() as uow:
        users = queries.broker_users(uow)
    if fmt == "dynsec":
        _write_dynsec(out, users, user, hash_password(secret), admin_user, admin_password_env, json_out)
        return
    try:
        files = broker.generate(users, platform_user=user, platform_password_hash=hash_password(secret))
    except ValueError as exc:
        fail(str(exc))
    out.mkdir(parents=True, exist_ok=True)
    # Written beside then renamed: Mosquitto reloading on SIGHUP never reads half a file.
    for name, text in ((broker.PASSWORD_FILE, files.passwd), (broker.ACL_FILE, files.acl)):
        partial = out / f".{name}.tmp"
        partial.write_text(text, encoding="utf-8")
        partial.chmod(0o640)
        partial.replace(out / name)
    (out / broker.CONFIG_FILE).write_text(files.config(str(out.resolve())), encoding="utf-8")
    if json_out:
        print_json({"out": str(out), "terminals": files.terminals, "platform_user": user})
    else:
        console.print(
            f"Đã ghi / wrote {out}/{broker.PASSWORD_FILE}, {broker.ACL_FILE}, {broker.CONFIG_FILE}:"
            f" {files.terminals} thiết bị / terminal(s) + {user}."
            " Nạp lại / reload: kill -HUP <mosquitto pid>",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


def _write_dynsec(
    out: Path,
    users: list[BrokerUser],
    user: str,
    password_hash: str,
    admin_user: str | None,
    admin_password_env: str | None,
    json_out: bool,
) -> None:
    """Write the dynamic-security plugin's JSON and a Mosquitto configuration that loads it."""
    import json  # noqa: PLC0415

    from thanglong.domains.terminals.fleet import dynsec  # noqa: PLC0415
    from thanglong.domains.terminals.fleet.passwords import hash_password  # noqa: PLC0415

    admin_hash = None
    if admin_user is not None:
        admin_secret = os.environ.get(admin_password_env) if admin_password_env else None
        if not admin_secret:
            fail(
                "--admin-user cần --admin-password-env chỉ tới một biến có mật khẩu / --admin-user needs"
                " --admin-password-env naming a variable that holds its password"
            )
        admin_hash = hash_password(admin_secret)
    try:
        config = dynsec.generate(
            users,
            platform_user=user,
            platform_password_hash=password_hash,
            admin_user=admin_user,
            admin_password_hash=admin_hash,
        )
    except ValueError as exc:
        fail(str(exc))
    out.mkdir(parents=True, exist_ok=True)
    target = out / dynsec.CONFIG_FILE
    partial = out / f".{dynsec.CONFIG_FILE}.tmp"
    partial.write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    partial.chmod(0o640)
    partial.replace(target)
    conf = out / dynsec.MOSQUITTO_CONFIG_FILE
    conf.write_text(dynsec.mosquitto_config(str(target.resolve())), encoding="utf-8")
    terminals = len(config["clients"]) - 1 - (admin_user is not None)
    if json_out:
        print_json(
            {
                "out": str(out),
                "format": "dynsec",
                "terminals": terminals,
                "roles": len(config["roles"]),
                "platform_user": user,
            }
        )
    else:
        console.print(
            f"Đã ghi / wrote {target}, {conf}: {terminals} thiết bị / terminal(s) + {user},"
            f" {len(config['roles'])} vai trò / roles. Mosquitto đọc khi khởi động / read at start:"
            " khởi động lại / restart Mosquitto.",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


rollout_app = typer.Typer(help="Cập nhật phần mềm theo đợt / rollouts in waves.", no_args_is_help=True)


def _show_rollout(dto: object, json_out: bool) -> None:
    data = dto.to_dict()  # type: ignore[attr-defined]
    if json_out:
        print_json(data)
        return
    console.print(
        f"{data['name']} ({data['kind']} {data['version']}): {data['status']}, đợt / wave"
        f" {data['current_wave'] + 1}/{len(data['waves'])} {data['halt_reason']}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    for index, wave in enumerate(data["waves"], start=1):
        console.print(f"  {index}: {' '.join(wave)}", highlight=False, markup=False, soft_wrap=True)


@rollout_app.command("create")
def rollout_create(
    name: str = typer.Option(..., "--name", help="Tên đợt cập nhật / the rollout's name."),
    kind: str = typer.Option("firmware", "--kind", help="Loại / kind: firmware|config."),
    version: str = typer.Option(..., "--version", help="Phiên bản mới / the new version."),
    url: str = typer.Option(..., "--url", help="Địa chỉ tải tệp / download URL (https://...)."),
    sha256: str = typer.Option(..., "--sha256", help="SHA-256 của tệp / the file's SHA-256."),
    canary: list[str] = typer.Option([], "--canary", help="Mã phường, xã thử trước / canary commune(s)."),
    growth: float = typer.Option(2.0, "--growth", help="Hệ số tăng mỗi đợt / wave growth factor."),
    soak_minutes: int = typer.Option(
        60, "--soak-minutes", help="Phút theo dõi mỗi đợt / minutes each wave is watched."
    ),
    min_ok: float = typer.Option(0.9, "--min-ok", help="Tỷ lệ tốt tối thiểu / minimum ok share (0-1)."),
    max_gap: float = typer.Option(
        0.05,
        "--max-gap",
        help="Chênh lệch sức khoẻ tối đa so với máy chưa cập nhật / largest health gap to the others.",
    ),
    json_out: bool = json_option(),
) -> None:
    """Lập đợt cập nhật theo phường, xã / plan a rollout in waves of communes."""
    from thanglong.domains.terminals.fleet import rollouts  # noqa: PLC0415

    platform = open_platform()
    try:
        with platform.uow() as uow:
            dto = rollouts.create(
                uow,
                actor=cli_actor(),
                name=name,
                kind=kind,
                version=version,
                url=url,
                sha256=sha256,
                canary=canary or None,
                growth=growth,
                soak_minutes=soak_minutes,
                min_ok_share=min_ok,
                max_gap=max_gap,
            )
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", 1)
    _show_rollout(dto, json_out)


@rollout_app.command("list")
def rollout_list(json_out: bool = json_option()) -> None:
    """Liệt kê các đợt cập nhật / list rollouts."""
    from thanglong.domains.terminals.fleet import rollouts  # noqa: PLC0415

    platform = open_platform()
    with platform.uow() as uow:
        found = rollouts.list_rollouts(uow)
    if json_out:
        print_json([r.to_dict() for r in found])
        return
    for dto in found:
        console.print(f"{dto.id}", highlight=False)
        _show_rollout(dto, False)


@rollout_app.command("change")
def rollout_change(
    rollout_id: str = typer.Argument(..., help="Mã đợt cập nhật / the rollout id."),
    action: str = typer.Argument(..., help="Thao tác / action: halt|resume|abort|step."),
    note: str = typer.Option("", "--note", help="Ghi chú vào nhật ký / note for the audit log."),
    json_out: bool = json_option(),
) -> None:
    """Tạm dừng, tiếp tục, hủy hoặc chạy một bước / halt, resume, abort or step a rollout."""
    import uuid  # noqa: PLC0415

    from thanglong.domains.terminals.fleet import commands, rollouts  # noqa: PLC0415

    try:
        ident = uuid.UUID(rollout_id)
    except ValueError:
        fail(f"không phải mã đợt / not a rollout id: {rollout_id}")
    if action not in ("halt", "resume", "abort", "step"):
        fail(f"thao tác / action must be halt|resume|abort|step, not {action!r}")
    platform = open_platform()
    try:
        with platform.uow() as uow:
            if action == "step":
                signer = commands.platform_signer(platform.settings)
                dto = rollouts.step(uow, ident, signer=signer, actor=cli_actor())
            else:
                use = {"halt": rollouts.halt, "resume": rollouts.resume, "abort": rollouts.abort}[action]
                dto = use(uow, ident, actor=cli_actor(), note=note)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}", 1)
    _show_rollout(dto, json_out)
