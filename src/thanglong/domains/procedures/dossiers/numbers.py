"""Document numbers of results (số văn bản), as Decree 30/2020/NĐ-CP writes them: "07/KQ-UBND"."""

from __future__ import annotations

import unicodedata

# "KQ" (kết quả): the result of an administrative procedure, whatever paper the procedure issues.
RESULT_SYMBOL = "KQ"
# Words that start the place (or the rank) part of an agency's name: "Ủy ban nhân dân | phường Hoàn Kiếm".
_PLACE_WORDS = frozenset({"phường", "xã", "quận", "huyện", "tỉnh", "tp", "tp.", "số"})
_PLACE_PAIRS = frozenset({"thị xã", "thị trấn", "thành phố", "đặc khu", "thủ đô"})
MAX_SYMBOL = 12


def _initial(word: str) -> str:
    """Return a word's first letter in capitals without its tone and vowel marks (Đ stays Đ)."""
    letter = word[0]
    if letter in "đĐ":
        return "Đ"
    base = unicodedata.normalize("NFD", letter)[0]
    return base.upper()


def agency_symbol(name: str) -> str:
    """Return an agency's abbreviation for document numbers ("Ủy ban nhân dân phường X" gives "UBND").

    The initials of the words before the place name; a word already in capitals (an abbreviation such as
    "UBND") is kept whole, and a word with digits ends the name.
    """
    parts: list[str] = []
    words = name.split()
    for index, word in enumerate(words):
        pair = " ".join(words[index : index + 2]).lower()
        if word.lower() in _PLACE_WORDS or pair in _PLACE_PAIRS or any(ch.isdigit() for ch in word):
            break
        if len(word) > 1 and word.isupper() and word.isalpha():
            parts.append(unicodedata.normalize("NFC", word))
        elif word[0].isalpha():
            parts.append(_initial(word))
    symbol = "".join(parts)[:MAX_SYMBOL]
    return symbol or "CQ"


def result_number(seq: int, agency_name: str) -> str:
    """Return a result's number in its agency's register: two digits at least, then the symbols."""
    return f"{seq:02d}/{RESULT_SYMBOL}-{agency_symbol(agency_name)}"
