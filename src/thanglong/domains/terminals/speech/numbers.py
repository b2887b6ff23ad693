"""Read numbers aloud in Vietnamese, Northern (Hà Nội) usage: "linh", "mươi", "nghìn", "tỷ".

Pure functions from integers (or digit strings) to words. The rules: "mốt" for a final 1 after "mươi"
(21 → "hai mươi mốt", but 11 → "mười một" and 101 → "một trăm linh một"); "lăm" for a final 5 after
"mười"/"mươi" (15 → "mười lăm", 25 → "hai mươi lăm", but 105 → "một trăm linh năm"); "linh" for a zero
ten before a unit (105); a group after the leading one is read whole, "không trăm" included
(1005 → "một nghìn không trăm linh năm"); an all-zero group is silent (1000005 → "một triệu không trăm
linh năm"); 10⁹ is "tỷ" and larger numbers repeat the scales before it ("một nghìn tỷ").
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
BILLION = 10**9
# Scales below a billion, by three-digit group (the billion itself recurses).
_SCALES = ("", "nghìn", "triệu")
# Longer digit runs are not amounts anyone reads out: they are read digit by digit.
MAX_CARDINAL_DIGITS = 15


def _group(n: int, *, whole: bool) -> list[str]:
    """Read 0 < n < 1000; `whole` reads the hundreds even when zero ("không trăm linh năm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or whole:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _below_billion(n: int, *, whole: bool) -> list[str]:
    """Read 0 < n < 10⁹; `whole` when the number follows a larger part (after "tỷ")."""
    groups = [n // 1_000_000, n // 1000 % 1000, n % 1000]
    words: list[str] = []
    for index, group in enumerate(groups):
        if not group:
            continue
        words += _group(group, whole=whole or bool(words))
        scale = _SCALES[len(groups) - 1 - index]
        if scale:
            words.append(scale)
    return words


def _cardinal_words(n: int, *, whole: bool = False) -> list[str]:
    if n >= BILLION:
        high, low = divmod(n, BILLION)
        words = [*_cardinal_words(high, whole=whole), "tỷ"]
        if low:
            words += _below_billion(low, whole=True)
        return words
    return _below_billion(n, whole=whole)


def cardinal(n: int) -> str:
    """Read a non-negative integer as a Vietnamese cardinal number."""
    if n < 0:
        raise ValueError(f"cardinal() reads non-negative integers, got {n}")
    if n == 0:
        return DIGITS[0]
    return " ".join(_cardinal_words(n))


def digits(text: str) -> str:
    """Read a string of ASCII digits one digit at a time ("0912" → "không chín một hai")."""
    return " ".join(DIGITS[int(d)] for d in text)


def integer(text: str) -> str:
    """Read a run of ASCII digits the way an announcement means it.

    Up to three digits, leading zeros are padding (administrative writing pads counts: "05 hộ" is five
    households); four or more digits with a leading zero are a code, and more than fifteen digits are
    no amount anyone reads out: both are read digit by digit.
    """
    if len(text) > MAX_CARDINAL_DIGITS or (len(text) > 3 and text.startswith("0")):
        return digits(text)
    return cardinal(int(text))


def fraction_digits(text: str) -> str:
    """Read the digits after a decimal comma: leading zeros one by one, then the rest as a number."""
    stripped = text.lstrip("0")
    words = [DIGITS[0]] * (len(text) - len(stripped))
    if stripped:
        words.append(integer(stripped))
    return " ".join(words)


def ordinal(n: int) -> str:
    """Read the number after "thứ": 1 is "nhất", 4 is "tư", the rest are cardinals."""
    if n == 1:
        return "nhất"
    if n == 4:
        return "tư"
    return cardinal(n)


def month(n: int) -> str:
    """Read a month number after "tháng" (4 is "tư": "tháng tư")."""
    return "tư" if n == 4 else cardinal(n)
