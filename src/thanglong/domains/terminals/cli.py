"""`thanglong terminals`: CAP 1.2 messages (validate against the standard or the Hanoi profile), speech."""

from __future__ import annotations

from pathlib import Path

import typer

from thanglong.core.cliutil import console, fail, json_option, print_json
from thanglong.core.errors import ThangLongError
from thanglong.domains.terminals.cap import services
from thanglong.domains.terminals.cap.hanoi import NAME as HANOI
from thanglong.domains.terminals.speech import services as speech

app = typer.Typer(
    help="Thiết bị thông tin hộ gia đình / household information terminals.", no_args_is_help=True
)
cap_app = typer.Typer(help="Bản tin CAP 1.2 / CAP 1.2 messages.", no_args_is_help=True)
app.add_typer(cap_app, name="cap")

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
