"""`thanglong notify`: send a templated message, run a delivery pass, show the outbox and templates."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from thanglong.core.cliutil import cli_actor, console, fail, json_option, open_platform, print_json
from thanglong.core.errors import ThangLongError
from thanglong.core.platform import Platform
from thanglong.domains.identity import api as identity_api
from thanglong.domains.notify import services, tasks

app = typer.Typer(
    help="Thông báo: thư điện tử, SMS, hộp thư / notifications: e-mail, SMS, inbox.", no_args_is_help=True
)


@contextmanager
def _platform() -> Iterator[Platform]:
    platform = open_platform()
    try:
        yield platform
    finally:
        # Release the connections when the command ends: the process may live on (tests, shells).
        platform.close()


def _parse_vars(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(f"--var cần dạng khoá=giá trị / --var needs key=value, got {pair!r}")
        out[key.strip()] = value
    return out


@app.command("send")
def send(
    template: str = typer.Option(
        ..., "--template", help="Mã mẫu thông báo, ví dụ announcement / template key, e.g. announcement."
    ),
    to_email: str | None = typer.Option(
        None, "--to-email", help="Gửi tới địa chỉ thư điện tử này / send to this e-mail address."
    ),
    to_phone: str | None = typer.Option(
        None, "--to-phone", help="Gửi tới số điện thoại này / send to this phone number."
    ),
    to_user: str | None = typer.Option(
        None,
        "--to-user",
        help="Gửi tới tài khoản này (tên đăng nhập hoặc mã) / send to this user (username or user id).",
    ),
    var: list[str] = typer.Option(
        [],
        "--var",
        help="Biến của mẫu, dạng khoá=giá trị, lặp lại được / template variable as key=value, repeatable.",
    ),
    channel: list[str] = typer.Option(
        [],
        "--channel",
        help="Kênh gửi: email, sms hoặc inapp, lặp lại được; mặc định theo người nhận / "
        "channel: email, sms or inapp, repeatable; default: the recipient's.",
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        help="Ngôn ngữ khi gửi tới --to-email/--to-phone (vi hoặc en) / "
        "language for --to-email/--to-phone (vi or en).",
    ),
    json_out: bool = json_option(),
) -> None:
    """Xếp một thông báo theo mẫu vào hàng đợi gửi / queue a templated message.

    thanglong notify deliver (hoặc worker) sẽ gửi nó / thanglong notify deliver (or the worker) sends it.
    """
    context = _parse_vars(var)
    try:
        with _platform() as platform, platform.uow() as uow:
            user_id: uuid.UUID | None = None
            if to_user:
                try:
                    user_id = uuid.UUID(to_user)
                except ValueError:
                    found = identity_api.find_user(uow, to_user)
                    if found is None:
                        fail(f"không có người dùng / no such user: {to_user}", 1)
                    user_id = found.id
            ids = services.send_now(
                uow,
                actor=cli_actor(),
                template_key=template,
                context=context,
                to_user=user_id,
                to_email=to_email,
                to_phone=to_phone,
                channels=channel or None,
                language=lang,
            )
    except ThangLongError as exc:
        fail(f"{exc.code}: {exc.message_vi} / {exc.message_en}", 1)
    if json_out:
        print_json({"message_ids": [str(i) for i in ids]})
    else:
        for message_id in ids:
            console.print(f"queued {message_id}")


@app.command("deliver")
def deliver(json_out: bool = json_option()) -> None:
    """Chạy một lượt gửi các thông báo đến hạn / run one delivery pass over the due messages."""
    with _platform() as platform:
        if json_out:
            report = tasks.deliver_pending(platform)
        else:
            columns = (TextColumn("gửi / delivering"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, console=console, transient=False) as progress:
                bar = progress.add_task("deliver", total=None)

                def step(done: int, total: int) -> None:
                    progress.update(bar, completed=done, total=total)

                report = tasks.deliver_pending(platform, progress=step)
    data = {"claimed": report.claimed, "sent": report.sent, "failed": report.failed, "dead": report.dead}
    if json_out:
        print_json(data)
    else:
        console.print(" ".join(f"{k}={v}" for k, v in data.items()))


@app.command("status")
def status(json_out: bool = json_option()) -> None:
    """Đếm thông báo trong hộp thư đi theo trạng thái, kênh / count outbox messages per status and channel."""
    with _platform() as platform, platform.uow() as uow:
        counts = services.status_counts(uow)
    if json_out:
        print_json({"counts": [{"status": c.status, "channel": c.channel, "count": c.count} for c in counts]})
        return
    table = Table("status", "channel", "count")
    for c in counts:
        table.add_row(c.status, c.channel, str(c.count))
    console.print(table)


@app.command("templates")
def templates(json_out: bool = json_option()) -> None:
    """Liệt kê mẫu thông báo / list the message templates.

    Lần chạy đầu cài các mẫu có sẵn / the packaged defaults are installed on first run.
    """
    with _platform() as platform, platform.uow() as uow:
        services.install_default_templates(uow, actor=cli_actor())
        uow.commit()
        rows = services.list_templates(uow)
    if json_out:
        print_json(
            {
                "templates": [
                    {"key": t.key, "channel": t.channel, "language": t.language, "subject": t.subject}
                    for t in rows
                ]
            }
        )
        return
    table = Table("key", "channel", "language", "subject")
    for t in rows:
        table.add_row(t.key, t.channel, t.language, t.subject)
    console.print(table)
