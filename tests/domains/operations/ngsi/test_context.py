"""The @context engine: shipped documents, expansion, compaction, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from thanglong.domains.operations.ngsi import context
from thanglong.domains.operations.ngsi.problems import BadRequestData, LdContextNotAvailable

ENV = "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld"
CORE = "https://uri.etsi.org/ngsi-ld/"


def test_the_core_context_maps_its_terms_and_sends_the_rest_to_the_default_context() -> None:
    core = context.core()
    assert core.expand("location") == CORE + "location"
    assert core.expand("observedAt") == CORE + "observedAt"
    assert core.expand("temperature") == context.DEFAULT_VOCAB + "temperature"
    assert core.compact(context.DEFAULT_VOCAB + "temperature") == "temperature"
    assert core.compact(CORE + "location") == "location"
    assert core.expand("ngsi-ld:anything") == CORE + "anything"
    assert core.expand("urn:ngsi-ld:x:1") == "urn:ngsi-ld:x:1"
    assert core.expand("https://example.org/a") == "https://example.org/a"


@pytest.mark.parametrize(
    ("url", "term", "iri"),
    [
        (ENV, "no2", "https://smartdatamodels.org/dataModel.Environment/no2"),
        (ENV, "FloodMonitoring", "https://smartdatamodels.org/dataModel.Environment/FloodMonitoring"),
        (
            "https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld",
            "intensity",
            "https://smartdatamodels.org/dataModel.Transportation/intensity",
        ),
        (
            "https://raw.githubusercontent.com/smart-data-models/dataModel.Weather/master/context.jsonld",
            "WeatherObserved",
            "https://smartdatamodels.org/dataModel.Weather/WeatherObserved",
        ),
        (
            "https://raw.githubusercontent.com/smart-data-models/dataModel.Parking/master/context.jsonld",
            "ParkingSpot",
            "https://smartdatamodels.org/dataModel.Parking/ParkingSpot",
        ),
    ],
)
def test_shipped_smart_data_models_contexts_expand_and_compact_back(url: str, term: str, iri: str) -> None:
    active = context.resolve([url])
    assert active.expand(term) == iri
    assert active.compact(iri) == term
    # The core stays protected underneath: location is NGSI-LD's whatever the model says.
    assert active.expand("location") == CORE + "location"


def test_inline_objects_prefixes_vocab_and_arrays() -> None:
    spec: list[Any] = [
        ENV,
        {"schema": "https://schema.org/", "name": "schema:name", "street": {"@id": "schema:streetAddress"}},
        {"@vocab": "https://hanoi.example/ns#"},
    ]
    active = context.resolve(spec)
    assert active.expand("name") == "https://schema.org/name"
    assert active.expand("street") == "https://schema.org/streetAddress"
    assert active.expand("schema:telephone") == "https://schema.org/telephone"
    assert active.expand("unmapped") == "https://hanoi.example/ns#unmapped"
    assert active.compact("https://hanoi.example/ns#unmapped") == "unmapped"
    assert active.expand("no2") == "https://smartdatamodels.org/dataModel.Environment/no2"
    # A later definition wins over an earlier one; the core's terms win over both.
    later = context.resolve([{"no2": "https://a.example/no2"}, {"no2": "https://b.example/no2"}])
    assert later.expand("no2") == "https://b.example/no2"
    assert context.resolve({"location": "https://a.example/loc"}).expand("location") == CORE + "location"


def test_an_unknown_url_is_refused_naming_it_unless_a_loader_knows_it() -> None:
    url = "https://contexts.example/ctx.jsonld"
    with pytest.raises(LdContextNotAvailable) as refused:
        context.resolve([ENV, url])
    assert refused.value.details["url"] == url and url in refused.value.message_en
    documents = {url: {"@context": {"pm25": "https://hanoi.example/pm25"}}}
    assert context.resolve([url], documents.get).expand("pm25") == "https://hanoi.example/pm25"


@pytest.mark.parametrize(
    "spec",
    [42, [{"a": 5}], {"@vocab": 3}],
)
def test_malformed_contexts_are_bad_request_data(spec: Any) -> None:
    with pytest.raises(BadRequestData):
        context.resolve(spec)


def test_a_context_that_names_itself_is_refused_as_too_deep() -> None:
    url = "https://loop.example/ctx.jsonld"
    documents = {url: {"@context": [url]}}
    with pytest.raises(BadRequestData):
        context.resolve(url, documents.get)


def test_resolved_shipped_contexts_are_cached() -> None:
    assert context.resolve([ENV]) is context.resolve([ENV])
