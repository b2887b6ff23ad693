"""`thanglong users ...`: accounts, passwords and API keys from the command line."""

from __future__ import annotations

from typing import Any

import typer

from thanglong.core.cliutil import cli_actor, console, fail, json_option, open_platform, print_json
from thanglong.core.errors import ThangLongError
from thanglong.core.platform import Platform
from thanglong.core.security import RoleName
from thanglong.domains.identity import agencies, credentials, services
from thanglong.domains.identity.credentials import ApiKeyDTO
from thanglong.domains.identity.services import UserDTO

app = typer.Typer(
    help="Tài khoản, mật khẩu và khoá API / accounts, passwords and API keys.", no_args_is_help=True
)
api_key_app = typer.Typer(help="Khoá API / API keys.", no_args_is_help=True)
app.add_typer(api_key_app, name="api-key")


def _roles(platform: Platform, values: list[str]) -> list[RoleName]:
    """Return the roles named, or exit with code 2 naming one that no enabled domain declares."""
    try:
        return list(platform.roles.check(values))
    except ThangLongError as exc:
        fail(exc.message_en, 2)


def _user_json(user: UserDTO) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "roles": list(user.roles),
        "is_active": user.is_active,
        "agency_id": str(user.agency_id) if user.agency_id else None,
        "created_at": user.created_at.isoformat(),
    }


def _key_json(key: ApiKeyDTO) -> dict[str, Any]:
    return {
        "id": str(key.id),
        "name": key.name,
        "prefix": key.prefix,
        "role": key.role,
        "created_by": key.created_by,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def _ask_password() -> str:
    value: str = typer.prompt("Mật khẩu / password", hide_input=True, confirmation_prompt=True)
    return value


@app.command("create")
def create(
    username: str = typer.Argument(..., help="Tên đăng nhập / username."),
    role: list[str] = typer.Option(..., "--role", help="Vai trò (lặp lại được) / role, repeatable."),
    password: str | None = typer.Option(
        None, "--password", help="Mật khẩu; bỏ trống để nhập ẩn / password; leave out to type it unseen."
    ),
    no_password: bool = typer.Option(
        False,
        "--no-password",
        help="Tài khoản không có mật khẩu, không đăng nhập bằng mật khẩu / "
        "no password: the account never signs in with one.",
    ),
    email: str | None = typer.Option(None, "--email", help="Địa chỉ thư điện tử / e-mail address."),
    phone: str | None = typer.Option(None, "--phone", help="Số điện thoại / phone number."),
    full_name: str = typer.Option("", "--full-name", help="Họ và tên / full name."),
    agency: str | None = typer.Option(
        None,
        "--agency",
        help="Mã định danh cơ quan, ví dụ 000.00.00.H26 / the agency's identifier code, e.g. 000.00.00.H26.",
    ),
    json_out: bool = json_option(),
) -> None:
    """Tạo tài khoản với một hoặc nhiều vai trò / create an account with one or more roles."""
    platform = open_platform()
    roles = _roles(platform, role)
    if password is None and not no_password:
        password = _ask_password()
    try:
        with platform.uow() as uow:
            agency_id = None
            if agency:
                found = agencies.find_agency(uow, agency)
                if found is None:
                    fail(f"unknown agency code {agency}", 2)
                agency_id = found.id
            user = services.create_user(
                uow,
                actor=cli_actor(),
                username=username,
                password=password,
                roles=roles,
                full_name=full_name,
                email=email,
                phone=phone,
                agency_id=agency_id,
            )
    except ThangLongError as exc:
        fail(f"{exc.code}: {exc.message_en}", 1)
    if json_out:
        print_json(_user_json(user))
    else:
        console.print(f"created {user.username} ({', '.join(user.roles)}) id={user.id}")


@app.command("list")
def list_users(
    role: str | None = typer.Option(None, "--role", help="Chỉ vai trò này / only this role."),
    json_out: bool = json_option(),
) -> None:
    """Liệt kê tài khoản / list accounts."""
    platform = open_platform()
    only = _roles(platform, [role])[0] if role else None
    with platform.uow() as uow:
        users = services.list_users(uow, role=only, limit=100_000)
    if json_out:
        print_json([_user_json(u) for u in users])
        return
    for u in users:
        state = "" if u.is_active else " [inactive]"
        console.print(f"{u.username}\t{','.join(u.roles)}\t{u.full_name}{state}", highlight=False)


@app.command("set-password")
def set_password(
    username: str = typer.Argument(..., help="Tên đăng nhập / username."),
    password: str | None = typer.Option(
        None,
        "--password",
        help="Mật khẩu mới; bỏ trống để nhập ẩn / new password; leave out to type it unseen.",
    ),
) -> None:
    """Đặt mật khẩu mới, kết thúc các phiên đang mở / set a new password, ending the open sessions."""
    platform = open_platform()
    with platform.uow() as uow:
        user = services.find_user(uow, username)
    if user is None:
        fail(f"unknown user {username}", 1)
    if password is None:
        password = _ask_password()
    try:
        with platform.uow() as uow:
            services.set_password(uow, actor=cli_actor(), user_id=user.id, password=password)
    except ThangLongError as exc:
        fail(f"{exc.code}: {exc.message_en}", 1)
    console.print(f"password set for {user.username}")


@api_key_app.command("create")
def api_key_create(
    name: str = typer.Option(
        ...,
        "--name",
        help="Tên khoá, cho biết khoá dùng vào việc gì / the key's name, saying what it is for.",
    ),
    role: str = typer.Option(..., "--role", help="Vai trò cấp cho khoá / the role the key acts with."),
    json_out: bool = json_option(),
) -> None:
    """Cấp khoá API và in ra đúng một lần / issue an API key and print it once (never shown again)."""
    platform = open_platform()
    (the_role,) = _roles(platform, [role])
    try:
        with platform.uow() as uow:
            dto, key = credentials.create_api_key(uow, actor=cli_actor(), name=name, role=the_role)
    except ThangLongError as exc:
        fail(f"{exc.code}: {exc.message_en}", 1)
    if json_out:
        print_json({**_key_json(dto), "key": key})
    else:
        typer.echo(key)
        console.print(
            "[yellow]Lưu khoá này ngay: nó không được hiển thị lại. "
            "/ Store this key now: it is not shown again.[/]"
        )


@api_key_app.command("revoke")
def api_key_revoke(
    prefix: str = typer.Argument(
        ..., help="8 ký tự đầu của khoá, xem api-key list / the key's 8-character prefix, see api-key list."
    ),
    json_out: bool = json_option(),
) -> None:
    """Thu hồi khoá API theo 8 ký tự đầu / revoke an API key by its 8-character prefix."""
    platform = open_platform()
    try:
        with platform.uow() as uow:
            dto = credentials.revoke_api_key(uow, actor=cli_actor(), prefix=prefix)
    except ThangLongError as exc:
        fail(f"{exc.code}: {exc.message_en}", 1)
    if json_out:
        print_json(_key_json(dto))
    else:
        console.print(f"revoked {dto.prefix} ({dto.name})")


@api_key_app.command("list")
def api_key_list(json_out: bool = json_option()) -> None:
    """Liệt kê khoá API, không kèm bí mật / list API keys, never their secrets."""
    platform = open_platform()
    with platform.uow() as uow:
        keys = credentials.list_api_keys(uow)
    if json_out:
        print_json([_key_json(k) for k in keys])
        return
    for k in keys:
        state = "revoked" if k.revoked_at else "active"
        console.print(f"{k.prefix}\t{k.role}\t{state}\t{k.name}", highlight=False)
