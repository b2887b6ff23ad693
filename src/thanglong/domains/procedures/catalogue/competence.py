"""Which agencies may receive and decide a procedure: agency kinds read from names, matched to the catalogue.

The catalogue names the implementing agencies of a procedure in words ("Ủy ban nhân dân xã, phường",
"Phòng Cảnh sát giao thông, Công an thành phố Hà Nội"), and an agency registered on the platform has a
name, a QCVN 102 code and, at commune level, the commune it serves. Both are read with the same table
of kinds (`KINDS`, first match wins) over the folded text (lower case, no diacritics, "UBND" spelt out),
so "Ủy ban nhân dân Phường Hoàn Kiếm" is of the kind the catalogue calls "Ủy ban nhân dân xã, phường".

Pure: no database; the dossier use cases pass the agencies in.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeVar

A = TypeVar("A", bound="AgencyLike")
COMMUNE_OFFICE = "mot_cua_xa"
COMMUNE_COMMITTEE = "ubnd_xa"


@dataclass(frozen=True)
class AgencyKind:
    """A kind of agency, recognised in an agency's name or in the catalogue's words."""

    value: str
    label_vi: str
    label_en: str
    commune_level: bool
    pattern: re.Pattern[str]


def _kind(value: str, vi: str, en: str, commune: bool, pattern: str) -> AgencyKind:
    return AgencyKind(value, vi, en, commune, re.compile(pattern))


# Order matters: the specific police departments before the city police, the city's service centre
# before the commune offices, the commune bodies before the city ones.
KINDS: tuple[AgencyKind, ...] = (
    _kind(
        "csgt", "Phòng Cảnh sát giao thông", "Traffic police department", False, r"\bcanh sat giao thong\b"
    ),
    _kind(
        "xuat_nhap_canh",
        "Phòng Quản lý xuất nhập cảnh",
        "Immigration department",
        False,
        r"\bxuat nhap canh\b",
    ),
    _kind(
        "cong_an_xa", "Công an xã, phường", "Commune police", True, r"\bcong an (cap )?(xa|phuong|dac khu)\b"
    ),
    _kind("cong_an_tp", "Công an thành phố", "City police", False, r"\bcong an (thanh pho|tinh)\b"),
    _kind(
        "vpdk_dat_dai",
        "Văn phòng đăng ký đất đai (chi nhánh)",
        "Land registration office (branch)",
        False,
        r"\bvan phong dang ky dat dai\b",
    ),
    _kind(
        "phong_kinh_te_xa", "Phòng Kinh tế xã, phường", "Commune economic office", True, r"\bphong kinh te\b"
    ),
    _kind(
        "trung_tam_tp",
        "Trung tâm Phục vụ hành chính công thành phố",
        "City public administration service centre",
        False,
        r"\btrung tam phuc vu hanh chinh cong (thanh pho|tinh)\b",
    ),
    _kind(
        COMMUNE_OFFICE,
        "Bộ phận Một cửa (Trung tâm Phục vụ hành chính công) xã, phường",
        "Commune one-stop office (public administration service centre)",
        True,
        r"\b(bo phan mot cua|trung tam phuc vu hanh chinh cong)\b.*\b(xa|phuong|dac khu)\b",
    ),
    _kind(
        COMMUNE_COMMITTEE,
        "Ủy ban nhân dân xã, phường",
        "Commune people's committee",
        True,
        r"\buy ban nhan dan (cap )?(xa|phuong|dac khu|thi tran)\b",
    ),
    _kind(
        "ubnd_tp",
        "Ủy ban nhân dân thành phố",
        "City people's committee",
        False,
        r"\buy ban nhan dan (thanh pho|tinh)\b",
    ),
    _kind("so_noi_vu", "Sở Nội vụ", "Department of Home Affairs", False, r"^so noi vu\b"),
    _kind("so", "Sở (cơ quan chuyên môn của thành phố)", "City department", False, r"^so\b"),
    _kind("truong_hoc", "Trường học", "School", False, r"^truong\b"),
)
BY_VALUE = {kind.value: kind for kind in KINDS}
_ABBREVIATIONS = ((re.compile(r"\bubnd\b"), "uy ban nhan dan"), (re.compile(r"\btp\b"), "thanh pho"))


class AgencyLike(Protocol):
    """What the checks read of an agency (identity's AgencyDTO has it)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def name(self) -> str: ...

    @property
    def commune_code(self) -> str | None: ...


@dataclass(frozen=True)
class Competence:
    """The kinds of agency that decide a procedure, and those that may receive its dossiers."""

    competent: frozenset[str]
    receiving: frozenset[str]

    @property
    def commune_level(self) -> bool:
        """Tell whether the deciding agency is a commune-level one."""
        return any(BY_VALUE[k].commune_level for k in self.competent)

    def labels(self, lang: str = "vi") -> list[str]:
        """Return the names of the deciding kinds, in the table's order."""
        return [(k.label_vi if lang == "vi" else k.label_en) for k in KINDS if k.value in self.competent]


def fold(text: str) -> str:
    """Return text lower-cased, without diacritics or punctuation, with UBND and TP spelt out."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    for pattern, words in _ABBREVIATIONS:
        text = pattern.sub(words, text)
    return text


@lru_cache(maxsize=4096)
def kind_of(name: str) -> AgencyKind | None:
    """Return the kind of an agency (or of the catalogue's words for one), or None when unknown."""
    folded = fold(name)
    return next((kind for kind in KINDS if kind.pattern.search(folded)), None)


@lru_cache(maxsize=1024)
def competence_of(level: str, competent_agency: str, receiving_agency: str) -> Competence | None:
    """Return who decides and who receives a procedure, or None when the catalogue's words are unknown.

    Receiving: the kinds the catalogue names, and the deciding kind itself. For a commune-level procedure
    (`level` "xa") the commune's one-stop office and its people's committee, which hosts that office,
    also receive: the office receives every procedure of the commune level and hands the dossier to the
    deciding body (the commune police, the land registration branch) with a transfer.
    """
    deciding = kind_of(competent_agency)
    if deciding is None:
        return None
    receiving = {deciding.value}
    received_by = kind_of(receiving_agency)
    if received_by is not None:
        receiving.add(received_by.value)
    if level == "xa":
        receiving |= {COMMUNE_OFFICE, COMMUNE_COMMITTEE}
    return Competence(frozenset({deciding.value}), frozenset(receiving))


def kind_value(agency: AgencyLike) -> str | None:
    """Return the stable value of an agency's kind, or None."""
    kind = kind_of(agency.name)
    return kind.value if kind else None


def serves(agency: AgencyLike, commune_code: str | None) -> bool:
    """Tell whether an agency may act for a commune: city-level agencies serve them all."""
    kind = kind_of(agency.name)
    if commune_code is None or kind is None or not kind.commune_level:
        return True
    return agency.commune_code == commune_code


def may_receive(competence: Competence, agency: AgencyLike) -> bool:
    """Tell whether an agency may receive the procedure's dossiers."""
    return kind_value(agency) in competence.receiving


def may_decide(competence: Competence, agency: AgencyLike) -> bool:
    """Tell whether an agency may decide the procedure."""
    return kind_value(agency) in competence.competent


def same_commune(first: AgencyLike, second: AgencyLike) -> bool:
    """Tell whether two agencies do not belong to two different communes."""
    one, two = kind_of(first.name), kind_of(second.name)
    if one is None or two is None or not (one.commune_level and two.commune_level):
        return True
    return (
        first.commune_code is None or second.commune_code is None or first.commune_code == second.commune_code
    )


def receivers(
    competence: Competence | None, agencies: Iterable[A], commune_code: str | None = None
) -> list[A]:
    """Return the agencies that may receive the procedure's dossiers for a commune (all when unknown)."""
    if competence is None:
        return list(agencies)
    return [a for a in agencies if may_receive(competence, a) and serves(a, commune_code)]


def deciders(competence: Competence, agencies: Iterable[A], receiving: AgencyLike) -> list[A]:
    """Return the agencies that may decide a dossier received by `receiving` (same commune)."""
    return [a for a in agencies if may_decide(competence, a) and same_commune(a, receiving)]


def names(agencies: Sequence[AgencyLike], limit: int = 5) -> str:
    """Return the names of a few agencies for a message, "…" when there are more."""
    shown = ", ".join(a.name for a in agencies[:limit])
    return shown + (", …" if len(agencies) > limit else "")
