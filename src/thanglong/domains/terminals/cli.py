"""`thanglong terminals`: CAP 1.2 messages (validate against the standard or the Hanoi profile), speech."""

from __future__ import annotations

from pathlib import Path

import typer

from thanglong.core.cliutil import (
    cli_actor,
    console,
    fail,
    json_option,
    load_settings,
    open_platform,
    print_json,
)
from thanglong.core.errors import ThangLongError
from thanglong.domains.terminals.bills.cli import app as bills_app
from thanglong.domains.terminals.cap import services
from thanglong.domains.terminals.cap.hanoi import NAME as HANOI
from thanglong.domains.terminals.config import TerminalsSettings
from thanglong.domains.terminals.fleet import cli as fleet_cli
from thanglong.domains.terminals.speech import services as speech
from thanglong.domains.terminals.wire import keys

app = typer.Typer(
    help="Thiết bị thông tin hộ gia đình / household information terminals.", no_args_is_help=True
)
cap_app = typer.Typer(help="Bản tin CAP 1.2 / CAP 1.2 messages.", no_args_is_help=True)
app.add_typer(cap_app, name="cap")
app.add_typer(bills_app, name="bills")
app.add_typer(fleet_cli.households_app, name="households")
app.add_typer(fleet_cli.broker_app, name="broker")
app.add_typer(fleet_cli.rollout_app, name="rollout")
app.command("provision")(fleet_cli.provision)
app.command("list")(fleet_cli.list_terminals)

EXIT_INVALID = 1
EXIT_UNREADABLE = 2


@cap_app.command("validate")
def validate(
    file: Path = typer.Argument(..., help="Tệp XML bản tin CAP / the CAP message's XML file."),
    profile: str | None = typer.Option(
        None,
        "--profile",
        help=f"Kiểm thêm theo hồ sơ ({HANOI}) / also check against a profile ({HANOI}).",
    ),
    json_out: bool = json_option(),
) -> None:
    """Kiểm tra một bản tin CAP 1.2 / validate a CAP 1.2 message.

    Exit 0 when valid, 1 when invalid (one reason a line), 2 when the file cannot be read.
    """
    if profile is not None and profile not in services.PROFILES:
        known = ", ".join(sorted(services.PROFILES))
        fail(f"không có hồ sơ {profile!r}, có: {known} / no profile {profile!r}, known: {known}")
    try:
        report = services.validate_file(file, profile)
    except services.UnreadableFile as exc:
        fail(f"không đọc được tệp {exc.path}: {exc.reason} / cannot read the file {exc.path}: {exc.reason}")
    if json_out:
        print_json({"file": str(file), **report.as_dict()})
    else:
        for problem in report.problems:
            console.print(problem.text(), highlight=False, markup=False, soft_wrap=True)
        against = f"CAP 1.2 + {profile}" if profile else "CAP 1.2"
        if report.valid:
            console.print(
                f"hợp lệ / valid ({against}): {file}, {len(report.warnings)} cảnh báo / warning(s)",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        else:
            console.print(
                f"không hợp lệ / invalid ({against}): {file}, {len(report.errors)} lỗi / error(s)",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
    if not report.valid:
        raise typer.Exit(EXIT_INVALID)


@app.command("speak")
def speak(
    text: str = typer.Argument(..., help="Văn bản bản tin cần đọc / the announcement text to speak."),
    out: Path = typer.Option(..., "--out", "-o", help="Tệp WAV cần ghi / the WAV file to write."),
    speed: int = typer.Option(
        speech.DEFAULT_WPM,
        "--speed",
        help=f"Tốc độ đọc, từ/phút ({speech.MIN_WPM}–{speech.MAX_WPM}) / words a minute.",
    ),
    voice: str = typer.Option("vi", "--voice", help="Giọng espeak-ng / espeak-ng voice."),
    show_normalized: bool = typer.Option(
        False, "--show-normalized", help="In văn bản đã chuẩn hoá / print the normalised text."
    ),
    json_out: bool = json_option(),
) -> None:
    """Đọc văn bản tiếng Việt thành tệp WAV, không cần mạng / speak Vietnamese text into a WAV, offline.

    Exit 0 when written, 2 when the input is refused or espeak-ng is missing or fails (one line).
    """
    try:
        result = speech.synthesize(text, out=out, voice=voice, speed=speed)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}")
    if json_out:
        print_json(result.as_dict())
        return
    if show_normalized:
        console.print(result.normalized_text, highlight=False, markup=False, soft_wrap=True)
    console.print(
        f"đã ghi / written: {out}, {result.duration_s:.1f} s, {result.size_bytes} bytes, sha1 {result.sha1}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


announcements_app = typer.Typer(help="Bản tin phát trên thiết bị / announcements.", no_args_is_help=True)
app.add_typer(announcements_app, name="announcements")


@announcements_app.command("list")
def list_announcements(
    state: str | None = typer.Option(
        None, "--state", help="draft | pending | active | ended | rejected (mặc định: tất cả / default: all)."
    ),
    json_out: bool = json_option(),
) -> None:
    """Liệt kê bản tin / list announcements, newest first."""
    from thanglong.domains.terminals.announcements import services as announcements  # noqa: PLC0415

    if state is not None and state not in announcements.STATE_LABELS:
        known = ", ".join(announcements.STATE_LABELS)
        fail(f"không có trạng thái {state!r}, có: {known} / no state {state!r}, known: {known}")
    platform = open_platform()
    with platform.uow() as uow:
        rows = announcements.list_announcements(uow, state)
    if json_out:
        print_json({"announcements": [r.as_json() for r in rows]})
        return
    for row in rows:
        where = f"{len(row.communes)} xã/communes" if row.communes else "toàn thành phố/whole city"
        console.print(
            f"{row.identifier} [{row.state}] {row.msg_type} {row.level}: {row.headline} ({where}, "
            f"{row.terminal_count} thiết bị/terminals)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    console.print(f"{len(rows)} bản tin / announcement(s)", highlight=False, markup=False)


@cap_app.command("import")
def import_cap(
    file: Path = typer.Argument(..., help="Tệp XML bản tin CAP / the CAP message's XML file."),
    json_out: bool = json_option(),
) -> None:
    """Nhập bản tin CAP của cơ quan khác thành bản tin chờ duyệt / import a CAP message awaiting approval.

    Exit 0 when stored, 1 when the message is refused (one reason a line), 2 when the file cannot be read.
    """
    from thanglong.core.errors import ThangLongError  # noqa: PLC0415
    from thanglong.domains.terminals.announcements import imports  # noqa: PLC0415

    try:
        data = services.read_message_file(file)
    except services.UnreadableFile as exc:
        fail(f"không đọc được tệp {exc.path}: {exc.reason} / cannot read the file {exc.path}: {exc.reason}")
    platform = open_platform()
    try:
        with platform.uow() as uow:
            made = imports.import_message(uow, actor=cli_actor(), user_id=None, data=data)
    except ThangLongError as exc:
        for problem in exc.details.get("problems", []):
            console.print(
                f"{problem['path']}: {problem['message_vi']} / {problem['message_en']}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        console.print(f"{exc.message_vi} / {exc.message_en}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_INVALID) from None
    if json_out:
        print_json(made.as_json())
        return
    where = f"{len(made.communes)} xã/communes" if made.communes else "toàn thành phố/whole city"
    console.print(
        f"đã nhập, chờ duyệt / imported, awaiting approval: {made.identifier} ({made.level}, {where})",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


@app.command("agent")
def agent(
    config: Path = typer.Option(..., "--config", help="Tệp cấu hình TOML / the TOML configuration file."),
    auto_ack: bool = typer.Option(
        False, "--auto-ack", help="Tự xác nhận mỗi bản tin đã phát / acknowledge every played item (demos)."
    ),
) -> None:
    """Chạy phần mềm thiết bị đầu cuối / run the reference terminal software.

    Press Enter (a line on stdin) to acknowledge the item playing, or the last one played.
    """
    import logging  # noqa: PLC0415 - the agent's modules load paho and cryptography only when used

    from thanglong.domains.terminals.agent import services as agent_services  # noqa: PLC0415

    try:
        settings = agent_services.load(config)
    except agent_services.ConfigError as exc:
        fail(f"cấu hình không dùng được / unusable configuration: {exc}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    agent_services.run_agent(settings, auto_ack=auto_ack, read_stdin=not auto_ack)


@app.command("simulate")
def simulate(
    count: int = typer.Option(..., "--count", min=1, help="Số thiết bị giả lập / simulated terminals."),
    broker: str | None = typer.Option(
        None,
        "--broker",
        help=(
            "Địa chỉ broker, mặc định broker của nền tảng / "
            "broker URL (mqtt://host:port), default the platform's."
        ),
    ),
    mqtt_version: str | None = typer.Option(
        None,
        "--mqtt-version",
        help='"5" hoặc / or "3.1.1" (mặc định: như nền tảng / default: as the platform; with --broker: 5).',
    ),
    processes: int | None = typer.Option(
        None, "--processes", min=1, help="Số tiến trình (mặc định 1 / 5.000 thiết bị) / processes."
    ),
    churn: float = typer.Option(
        0.0,
        "--churn",
        min=0.0,
        help="Tỷ lệ mất kết nối mỗi phút / share of terminals going offline a minute.",
    ),
    duration: float | None = typer.Option(None, "--duration", min=1.0, help="Giây / seconds to run."),
    commune: str | None = typer.Option(
        None, "--commune", help="Mã xã, cách nhau dấu phẩy / commune codes, comma-separated (default: all)."
    ),
    keys: list[Path] = typer.Option(
        [], "--keys", help="Khoá công khai PEM / trusted public key PEM file(s)."
    ),
    credentials: Path | None = typer.Option(
        None, "--credentials", help="CSV serial,password,commune (mặc định không mật khẩu / default: none)."
    ),
    auto_ack: bool = typer.Option(False, "--auto-ack", help="Gửi cả played, acknowledged / also those."),
    probe_key: Path | None = typer.Option(
        None,
        "--probe-key",
        help="Khoá riêng PEM để gửi một bản tin thử / private key PEM: publish one probe and time its reach.",
    ),
    prefix: str = typer.Option("sim", "--prefix", help="Tiền tố số sê-ri / serial prefix (no CSV)."),
    jitter: float = typer.Option(5.0, "--jitter", min=0.0, help="Độ trễ ngẫu nhiên tối đa / max jitter (s)."),
    session_expiry: int = typer.Option(300, "--session-expiry", min=0, help="Giây / session expiry (s)."),
    json_out: bool = json_option(),
) -> None:
    """Giả lập N thiết bị để thử tải / simulate N terminals for load tests."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn  # noqa: PLC0415

    from thanglong.core import mqtt as core_mqtt  # noqa: PLC0415
    from thanglong.domains.terminals.agent import services as agent_services  # noqa: PLC0415
    from thanglong.domains.terminals.agent import simulate as sim  # noqa: PLC0415
    from thanglong.domains.terminals.agent.mqttio import MQTT_VERSIONS  # noqa: PLC0415

    if broker is None:
        # The platform's own broker, login included (the embedded one admits only the platform's user),
        # so the password never appears on a command line.
        settings = load_settings()
        broker = core_mqtt.client_url(settings)
        version = mqtt_version or ("5" if core_mqtt.speaks_mqtt5(settings) else "3.1.1")
    else:
        version = mqtt_version or "5"
    if version not in MQTT_VERSIONS:
        fail('--mqtt-version phải là "5" hoặc "3.1.1" / must be "5" or "3.1.1"')
    try:
        probe = agent_services.read_private_key(probe_key) if probe_key else None
        trusted = agent_services.public_keys(list(keys), probe)
        fleet = agent_services.fleet(
            count,
            communes=[c.strip() for c in commune.split(",") if c.strip()] if commune else None,
            credentials=credentials,
            prefix=prefix,
        )
        core_mqtt.parse_url(broker)
    except (OSError, ValueError, agent_services.ConfigError) as exc:
        fail(str(exc))
    if not trusted:
        console.print(
            "chú ý / note: no --keys: every envelope will be refused (unknown key)", highlight=False
        )
    options = sim.SimOptions(
        broker_url=broker,
        terminals=fleet,
        processes=processes or -(-count // agent_services.TERMINALS_PER_PROCESS),
        keys=trusted,
        churn_per_min=churn,
        duration_s=duration,
        jitter_s=(0.0, jitter),
        auto_ack=auto_ack,
        session_expiry_s=session_expiry,
        mqtt_version="5" if version == "5" else "3.1.1",
    )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
    )
    with Progress(*columns, console=console, transient=json_out) as progress:
        task = progress.add_task("kết nối / connected", total=count, info="")

        def show(total: sim.Counters) -> None:
            info = (
                f"received {total.received}  refused {total.refused}  receipts {total.receipts_sent}"
                f"  reconnects {max(0, total.connects - total.subscribed)}"
            )
            progress.update(task, completed=total.connected, info=info)

        result = agent_services.run_simulation(options, probe=probe, on_progress=show)
    c = result.counters
    summary = {
        "terminals": count,
        "processes": options.processes,
        "connected_at_stop": result.connected_at_stop,
        "ever_subscribed": c.subscribed,
        "connects": c.connects,
        "refused_connects": c.refused_connects,
        "messages_received": c.received,
        "refused": c.refused,
        "receipts_sent": c.receipts_sent,
        "verifications": c.verifications,
        "accepted_by_commune": dict(sorted(c.accepted_by_commune.items())),
        "receipts_by_commune": dict(sorted(c.receipts_by_commune.items())),
        "elapsed_s": round(result.elapsed_s, 2),
        "connect_all_s": None if result.connect_s is None else round(result.connect_s, 2),
        "probe_id": result.probe_id,
        "probe_reached": result.probe_reached,
        "probe_reach_all_s": None if result.probe_reach_s is None else round(result.probe_reach_s, 3),
    }
    if json_out:
        print_json(summary)
    else:
        for name, value in summary.items():
            console.print(f"{name}: {value}", highlight=False)


keys_app = typer.Typer(help="Khoá ký bản tin / the announcement signing key.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("public")
def keys_public(json_out: bool = json_option()) -> None:
    """In khoá công khai (PEM) và mã khoá để cấu hình thiết bị / print the public key (PEM) and key id.

    The private key is made on first use in the data directory (or read from
    THANGLONG_TERMINALS_SIGNING_KEY_PATH); it is never printed. Exit 1 when the key file is unusable.
    """
    settings = load_settings()
    configured = TerminalsSettings().signing_key_path
    try:
        private = keys.load_or_create(settings, configured)
    except (keys.KeyUnusable, OSError) as exc:
        fail(f"không dùng được khoá ký / the signing key is unusable: {exc}", code=1)
    pem, kid = keys.public_pem(private), keys.public_key_id(private)
    if json_out:
        print_json({"key_id": kid, "public_key_pem": pem, "path": str(keys.key_path(settings, configured))})
        return
    console.print(f"key id: {kid}", highlight=False, markup=False)
    console.print(pem.rstrip("\n"), highlight=False, markup=False, soft_wrap=True)
