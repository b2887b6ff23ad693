"""JSON-LD @context for NGSI-LD: the shipped contexts, term expansion and compaction (no remote loader).

Only what NGSI-LD needs: term definitions (a string or an object's @id), compact IRIs with a prefix
(`ngsi-ld:`, `schema:`), @vocab, the default context, arrays of contexts and inline context objects.
Scoped contexts, @container, @type coercion, @base and @language do not change attribute names and
are ignored. See docs/operations-ngsi.md for why this is not PyLD.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from thanglong.domains.operations.ngsi.problems import BadRequestData, LdContextNotAvailable

NGSI_LD = "https://uri.etsi.org/ngsi-ld/"
DEFAULT_VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"
CORE_URL = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
CORE_FILE = "ngsi-ld-core-context-v1.8.jsonld"
# The unversioned URL and the earlier 1.x versions name the same terms for what this API serves.
CORE_URLS = frozenset(
    {
        CORE_URL,
        "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
        *(f"https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.{minor}.jsonld" for minor in range(3, 8)),
    }
)
SMART_DATA_MODEL_SUBJECTS = ("Environment", "Transportation", "Weather", "Parking")


def _builtin_urls() -> dict[str, str]:
    urls = dict.fromkeys(CORE_URLS, CORE_FILE)
    for subject in SMART_DATA_MODEL_SUBJECTS:
        name = f"smartdatamodels-{subject}.jsonld"
        for branch in ("master", "main"):
            urls[
                f"https://raw.githubusercontent.com/smart-data-models/dataModel.{subject}/{branch}/context.jsonld"
            ] = name
        urls[f"https://smart-data-models.github.io/dataModel.{subject}/context.jsonld"] = name
    return urls


BUILTIN_URLS: Mapping[str, str] = _builtin_urls()
# A context that pulls in contexts that pull in contexts: past this depth it is refused (a loop).
MAX_DEPTH = 8
# Entity, attribute and sub-attribute keys NGSI-LD defines; they are never expanded.
KEYWORDS = frozenset({"id", "type", "@context", "@id", "@type"})

Loader = Callable[[str], Mapping[str, Any] | None]


@cache
def builtin_document(filename: str) -> Mapping[str, Any]:
    """Return a context document shipped in ngsi/data/contexts (read once per process)."""
    text = resources.files(__package__).joinpath("data", "contexts", filename).read_text("utf-8")
    document: Mapping[str, Any] = json.loads(text)
    return document


def is_builtin(url: str) -> bool:
    """Tell whether a context URL is one this platform ships."""
    return url in BUILTIN_URLS


def _unknown(url: str) -> LdContextNotAvailable:
    return LdContextNotAvailable(
        "unknown_context",
        f"Không có tài liệu @context {url}: nền tảng không tải @context từ xa; quản trị viên cần đăng ký nó.",
        f"The @context {url} is not available: remote contexts are not fetched; an administrator must "
        "register it (thanglong operations contexts add).",
        url=url,
    )


def _bad(message_vi: str, message_en: str, **details: Any) -> BadRequestData:
    return BadRequestData("invalid_context", message_vi, message_en, **details)


@dataclass(frozen=True)
class ActiveContext:
    """Resolved term definitions: expand a short name into an IRI and compact it back."""

    terms: Mapping[str, str]
    vocab: str | None = DEFAULT_VOCAB
    # The reverse mapping, built once: IRI -> the shortest term naming it.
    reverse: Mapping[str, str] = field(default_factory=dict, compare=False)

    def expand(self, name: str) -> str:
        """Return the IRI of a term, a compact IRI (prefix:suffix) or an absolute IRI."""
        found = self.terms.get(name)
        if found is not None:
            return found
        prefix, colon, suffix = name.partition(":")
        if colon:
            if suffix.startswith("//"):
                return name
            base = self.terms.get(prefix)
            if base is not None:
                return base + suffix
            return name  # an absolute IRI of another scheme (urn:, http:)
        if self.vocab is None:
            raise _bad(
                f"Tên {name!r} không có trong @context và @vocab bị bỏ.",
                f"The name {name!r} is not in the @context and @vocab is unset.",
                term=name,
            )
        return self.vocab + name

    def compact(self, iri: str) -> str:
        """Return the term naming an IRI, else the IRI without the @vocab, else the IRI itself."""
        term = self.reverse.get(iri)
        if term is not None:
            return term
        if self.vocab and iri.startswith(self.vocab) and ":" not in iri[len(self.vocab) :]:
            suffix = iri[len(self.vocab) :]
            # JSON-LD 1.1 IRI compaction: a vocab-relative name that is a term of another IRI would read
            # back as that term; the IRI is then written with a prefix (ngsi-ld:default-context/name).
            if suffix not in self.terms:
                return suffix
            return self._prefixed(iri)
        return iri

    def _prefixed(self, iri: str) -> str:
        best = iri
        for term, base in self.terms.items():
            if ":" in term or not base.endswith(("/", "#", ":")) or not iri.startswith(base) or iri == base:
                continue
            candidate = f"{term}:{iri[len(base) :]}"
            if len(candidate) < len(best) or (len(candidate) == len(best) and candidate < best):
                best = candidate
        return best


def _reverse(terms: Mapping[str, str]) -> dict[str, str]:
    reverse: dict[str, str] = {}
    for term, iri in terms.items():
        if iri.startswith("@") or ":" in term:
            continue
        current = reverse.get(iri)
        if current is None or (len(term), term) < (len(current), current):
            reverse[iri] = term
    return reverse


class _Builder:
    """Apply contexts in order to a growing set of term definitions."""

    def __init__(self, loader: Loader | None, *, with_core: bool = True) -> None:
        self.loader = loader
        # Prefixes the core context defines (ngsi-ld:, geojson:) serve every other context.
        self.with_core = with_core
        self.terms: dict[str, str] = {}
        self.vocab: str | None = None
        self.vocab_set = False
        self.urls: list[str] = []

    def apply(self, item: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise _bad(
                "@context lồng nhau quá sâu.",
                f"The @context is nested more than {MAX_DEPTH} levels deep.",
            )
        if item is None:
            return
        if isinstance(item, str):
            self._apply_url(item, depth)
        elif isinstance(item, list):
            for entry in item:
                self.apply(entry, depth + 1)
        elif isinstance(item, dict):
            self._apply_object(item)
        else:
            raise _bad(
                "@context phải là URL, đối tượng hoặc mảng.",
                "A @context must be a URL, an object or an array of them.",
            )

    def _apply_url(self, url: str, depth: int) -> None:
        if url in CORE_URLS:
            return  # the core context is applied last, always (see resolve)
        filename = BUILTIN_URLS.get(url)
        document: Mapping[str, Any] | None
        if filename is not None:
            document = builtin_document(filename)
        else:
            document = self.loader(url) if self.loader is not None else None
            if document is None:
                raise _unknown(url)
        self.urls.append(url)
        if not isinstance(document, Mapping) or "@context" not in document:
            raise _bad(
                f"Tài liệu {url} không có khóa @context.",
                f"The document {url} has no @context key.",
                url=url,
            )
        self.apply(document["@context"], depth + 1)

    def _apply_object(self, definitions: Mapping[str, Any]) -> None:
        if "@vocab" in definitions:
            vocab = definitions["@vocab"]
            if vocab is not None and not isinstance(vocab, str):
                raise _bad("@vocab phải là IRI.", "@vocab must be an IRI.")
            self.vocab = self._resolve_value(vocab, definitions, set()) if vocab else None
            self.vocab_set = True
        resolved: dict[str, str | None] = {}
        for term, value in definitions.items():
            if term.startswith("@"):
                continue
            resolved[term] = self._term_iri(term, value, definitions, set())
        for term, iri in resolved.items():
            if iri is None:
                self.terms.pop(term, None)
            else:
                self.terms[term] = iri

    def _term_iri(self, term: str, value: Any, local: Mapping[str, Any], seen: set[str]) -> str | None:
        if value is None:
            return None
        if isinstance(value, dict):
            target = value.get("@id")
            if target is None:
                return self._vocab_iri(term)
            value = target
        if not isinstance(value, str):
            raise _bad(
                f"Định nghĩa của {term!r} trong @context không hợp lệ.",
                f"The definition of {term!r} in the @context is invalid.",
                term=term,
            )
        return self._resolve_value(value, local, seen | {term})

    def _vocab_iri(self, term: str) -> str:
        return (self.vocab if self.vocab_set and self.vocab else DEFAULT_VOCAB) + term

    def _resolve_value(self, value: str, local: Mapping[str, Any], seen: set[str]) -> str:
        if value.startswith("@"):
            return value
        prefix, colon, suffix = value.partition(":")
        if colon:
            if suffix.startswith("//"):
                return value
            base = self._lookup(prefix, local, seen)
            return base + suffix if base is not None else value
        found = self._lookup(value, local, seen)
        return found if found is not None else self._vocab_iri(value)

    def _lookup(self, term: str, local: Mapping[str, Any], seen: set[str]) -> str | None:
        if term in seen:
            # A term defined as itself ("attributeCount": "attributeCount") or a cycle: vocab-relative.
            return None
        if term in local:
            return self._term_iri(term, local[term], local, seen)
        if term in self.terms:
            return self.terms[term]
        return _core().terms.get(term) if self.with_core else None


@cache
def _core() -> ActiveContext:
    builder = _Builder(None, with_core=False)
    builder.apply(builtin_document(CORE_FILE)["@context"], 0)
    terms = dict(builder.terms)
    return ActiveContext(terms, DEFAULT_VOCAB, _reverse(terms))


def core() -> ActiveContext:
    """Return the NGSI-LD core context alone (the answer when a request names no @context)."""
    return _core()


def _build(spec: Any, loader: Loader | None) -> ActiveContext:
    builder = _Builder(loader)
    builder.apply(spec, 0)
    # The core context comes last and is protected: its terms win over a user's redefinition.
    # A user's @vocab is kept; without one, unknown names go to the NGSI-LD default context.
    core_context = _core()
    terms = {**builder.terms, **core_context.terms}
    vocab = builder.vocab if builder.vocab_set else DEFAULT_VOCAB
    return ActiveContext(terms, vocab, _reverse(terms))


# Contexts made only of shipped documents and inline objects, by their JSON text: most requests of a
# feed repeat the same one, and resolving it costs more than the entity it describes.
_CACHE: dict[str, ActiveContext] = {}
CACHE_SIZE = 256
# A large inline context is resolved each time rather than kept: the cache stays small.
CACHE_KEY_LIMIT = 16_384


def _only_builtin(spec: Any) -> bool:
    if isinstance(spec, str):
        return spec in BUILTIN_URLS
    if isinstance(spec, list):
        return all(_only_builtin(item) for item in spec)
    return spec is None or isinstance(spec, dict)


def referenced_urls(spec: Any) -> list[str]:
    """Return the URLs a @context names at its top level (registered documents to look up)."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, list):
        return [url for item in spec for url in referenced_urls(item)]
    return []


def resolve(spec: Any, loader: Loader | None = None) -> ActiveContext:
    """Resolve a @context (URL, object, array, or None for the core context alone)."""
    if spec is None or spec == [] or (isinstance(spec, str) and spec in CORE_URLS):
        return _core()
    if not _only_builtin(spec):
        return _build(spec, loader)
    key = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    if len(key) > CACHE_KEY_LIMIT:
        return _build(spec, None)
    found = _CACHE.get(key)
    if found is None:
        found = _build(spec, None)
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = found
    return found
