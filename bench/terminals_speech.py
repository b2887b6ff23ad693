"""Benchmark offline Vietnamese speech: normalising an announcement, then espeak-ng synthesis.

Prints the synthesis speed as seconds of audio per second of CPU (espeak-ng's user + system time, read
from the child's resource usage), the median of the runs, for the normalised text and, as the baseline
from the same run, for the raw text handed to espeak-ng unchanged. Needs espeak-ng (apt-get install
espeak-ng).

Run: .venv/bin/python bench/terminals_speech.py [--repeats 7] [--speed 150]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from thanglong.domains.terminals.speech import espeak
from thanglong.domains.terminals.speech.normalize import normalize

ANNOUNCEMENT = (
    "UBND phường Hoàn Kiếm thông báo: do sửa chữa lưới điện, từ 8h00 đến 17h30 thứ 2, ngày 03/12/2026, "
    "cắt điện tại TDP số 5 và số 7 phố Hàng Bạc. Dự báo mưa 50-70 mm, nhiệt độ 18-20°C, gió 40 km/h. "
    "Đề nghị người dân chủ động phòng chống; khi cần hỗ trợ gọi 114 hoặc SĐT 0912.345.678 của tổ trực."
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def synthesis_speed(text: str, speed: int, repeats: int) -> tuple[float, float, float, float]:
    """Return (audio seconds, median CPU seconds, median wall seconds, median audio s per CPU s)."""
    ratios, cpus, walls = [], [], []
    audio = 0.0
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "bench.wav"
        for _ in range(repeats):
            before, started = _children_cpu(), time.perf_counter()
            wav = espeak.run(text, out, voice="vi", wpm=speed)
            cpu = _children_cpu() - before
            walls.append(time.perf_counter() - started)
            audio = wav.duration_s
            cpus.append(cpu)
            ratios.append(audio / cpu)
    return audio, statistics.median(cpus), statistics.median(walls), statistics.median(ratios)


def main(argv: Sequence[str] | None = None) -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--speed", type=int, default=150)
    args = parser.parse_args(argv)
    espeak.find_program()
    spoken = normalize(ANNOUNCEMENT)
    started = time.perf_counter()
    for _ in range(1000):
        normalize(ANNOUNCEMENT)
    per_call = (time.perf_counter() - started) / 1000
    print(f"announcement: {len(ANNOUNCEMENT)} characters, {len(spoken)} once normalised")
    print(f"normalise: {per_call * 1e6:.0f} µs per announcement (mean of 1000)")
    for name, text in (("normalised text", spoken), ("baseline, raw text", ANNOUNCEMENT)):
        audio, cpu, wall, ratio = synthesis_speed(text, args.speed, args.repeats)
        print(
            f"espeak-ng, {name}: {audio:.1f} s of audio, {cpu * 1000:.0f} ms CPU and "
            f"{wall * 1000:.0f} ms wall (medians), "
            f"{ratio:.0f} s of audio per CPU second (median of {args.repeats})"
        )


if __name__ == "__main__":
    main()
