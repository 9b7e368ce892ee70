"""The JSON API: organisations, people, areas and infrastructures, filtered and paginated."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kg.describe import fold
from kg.store import OxigraphStore

BASE = "https://w3id.org/lskg/"


def get(client: TestClient, path: str, **params: object) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def iris(page: dict[str, Any]) -> set[str]:
    return {item["iri"] for item in page["items"]}


def test_organisations_in_a_sector_are_exactly_those_the_graph_puts_there(
    client: TestClient, real_store: OxigraphStore
) -> None:
    page = get(client, "/organisations", sector="industry", limit=500)
    expected = {
        iri
        for (iri,) in real_store.select(
            """SELECT DISTINCT ?o WHERE {
                 ?o <https://w3id.org/lskg/ontology#sector> <https://w3id.org/lskg/ontology#SectorIndustry> }"""
        ).values()
    }
    assert iris(page) == expected
    assert page["total"] == len(expected)
    assert {item["sector"]["notation"] for item in page["items"]} == {"industry"}
    astrazeneca = next(i for i in page["items"] if i["iri"] == BASE + "id/org/astrazeneca")
    assert set(astrazeneca) == {"iri", "labels", "page", "alt_labels", "sector", "kinds", "areas"}
    assert astrazeneca["labels"] == {"en": "AstraZeneca", "sv": "AstraZeneca"}
    assert astrazeneca["page"] == "http://testserver/id/org/astrazeneca"
    assert astrazeneca["sector"] == {
        "iri": "https://w3id.org/lskg/ontology#SectorIndustry",
        "notation": "industry",
        "label": {"en": "Industry", "sv": "Näringsliv"},
    }
    assert astrazeneca["kinds"] == ["Company"]


def test_a_sector_may_be_given_by_iri(client: TestClient) -> None:
    by_notation = get(client, "/organisations", sector="academia")
    by_iri = get(client, "/organisations", sector="https://w3id.org/lskg/ontology#SectorAcademia")
    assert iris(by_iri) == iris(by_notation)
    assert BASE + "id/org/karolinska-institutet" in iris(by_iri)


def test_organisations_of_a_kind(client: TestClient) -> None:
    page = get(client, "/organisations", kind="University")
    assert {BASE + "id/org/karolinska-institutet", BASE + "id/org/linkoping-university"} <= iris(page)
    assert all("University" in item["kinds"] for item in page["items"])
    ministries = get(client, "/organisations", kind="Ministry", sector="public")
    assert BASE + "id/org/socialdepartementet" in iris(ministries)


def test_unknown_filter_values_are_400_listing_the_known_ones(client: TestClient) -> None:
    sector = client.get("/organisations", params={"sector": "agriculture"})
    assert sector.status_code == 400
    assert "industry" in sector.json()["message"]
    kind = client.get("/organisations", params={"kind": "Spaceship"})
    assert kind.status_code == 400
    assert "University" in kind.json()["message"]
    area = client.get("/organisations", params={"area": "nowhere"})
    assert area.status_code == 400
    assert "data-och-information" in area.json()["message"]


def test_text_search_ignores_case_and_diacritics(client: TestClient) -> None:
    page = get(client, "/organisations", q="LINKOPING")
    assert BASE + "id/org/linkoping-university" in iris(page)
    assert all("linkoping" in fold(str(item)) for item in page["items"])
    swedish = get(client, "/organisations", q="läkarförbund")
    assert BASE + "id/org/swedish-medical-association" in iris(swedish)
    alternative = get(client, "/organisations", q="swedenbio")
    assert BASE + "id/org/swedenbio" in iris(alternative)
    assert BASE + "id/org/vinnova" not in iris(alternative)


def test_pagination_reports_the_total_and_links_the_next_page(client: TestClient) -> None:
    everything = get(client, "/organisations", limit=500)
    assert everything["next"] is None
    seen: list[str] = []
    page = get(client, "/organisations", limit=7)
    assert page["next"] == "http://testserver/organisations?limit=7&offset=7"
    while True:
        assert page["total"] == everything["total"]
        assert len(page["items"]) <= 7
        seen += [item["iri"] for item in page["items"]]
        if page["next"] is None:
            break
        page = client.get(page["next"]).json()
    assert seen == [item["iri"] for item in everything["items"]]


def test_limit_is_at_most_500(client: TestClient) -> None:
    assert client.get("/organisations", params={"limit": 501}).status_code == 422
    assert client.get("/organisations", params={"limit": 500}).status_code == 200


def test_people_of_an_organisation_with_their_sectors(client: TestClient) -> None:
    page = get(client, "/people", organisation="karolinska-institutet")
    assert {BASE + "id/person/ole-petter-ottersen", BASE + "id/person/sara-riggare"} <= iris(page)
    assert BASE + "id/person/darja-isaksson" not in iris(page)
    sara = next(i for i in page["items"] if i["iri"].endswith("sara-riggare"))
    assert [s["notation"] for s in sara["sectors"]] == ["academia", "civil-society"]
    assert [o["iri"] for o in sara["organisations"]] == [
        BASE + "id/org/karolinska-institutet",
        BASE + "id/group/life-science-coordination-group",
    ]
    assert sara["labels"] == {"en": "Sara Riggare", "sv": "Sara Riggare"}


def test_people_by_sector_include_those_who_represent_it(client: TestClient) -> None:
    page = get(client, "/people", sector="civil-society", limit=500)
    assert BASE + "id/person/sara-riggare" in iris(page)
    assert BASE + "id/person/anna-nilsson-vindefjard" in iris(page)
    assert BASE + "id/person/darja-isaksson" not in iris(page)


def test_areas_come_in_the_programmes_order(client: TestClient) -> None:
    page = get(client, "/areas")
    assert [item["notation"] for item in page["items"]][:8] == [str(n) for n in range(1, 9)]
    data = next(i for i in page["items"] if i["notation"] == "4")
    assert data["labels"]["en"] == "Access to and funding of data and information"
    assert data["aim"]["sv"] == "Utveckla och öppna register och biobanker, med långsiktig finansiering"


def test_infrastructures_by_kind_and_area(client: TestClient) -> None:
    biobanks = get(client, "/infrastructures", kind="Biobank")
    assert BASE + "id/infrastructure/biobanks" in iris(biobanks)
    assert all("Biobank" in item["kinds"] for item in biobanks["items"])
    serving = get(client, "/infrastructures", area="data-och-information")
    assert {BASE + "id/infrastructure/biobanks", BASE + "id/infrastructure/registers"} <= iris(serving)
    assert all(
        BASE + "id/area/data-och-information" in [a["iri"] for a in item["areas"]]
        for item in serving["items"]
    )


def test_one_item_by_slug(client: TestClient) -> None:
    vinnova = get(client, "/organisations/vinnova")
    assert vinnova["labels"]["en"] == "Vinnova"
    assert vinnova["alt_labels"] == ["Sweden's innovation agency"]
    assert client.get("/organisations/no-such-org").status_code == 404
    assert get(client, "/people/sara-riggare")["page"] == "http://testserver/id/person/sara-riggare"
    browser = client.get("/organisations/vinnova", headers={"Accept": "text/html"}, follow_redirects=False)
    assert browser.status_code == 303
    assert browser.headers["location"] == "/id/org/vinnova"


def test_browsers_get_a_table_with_filters(client: TestClient) -> None:
    html = client.get("/organisations", params={"sector": "academia"}, headers={"Accept": "text/html"}).text
    assert '<label for="filter-sector">Sector</label>' in html
    assert '<option value="academia" selected>' in html
    assert '<a href="/id/org/karolinska-institutet">Karolinska Institutet</a>' in html


def test_openapi_documents_the_response_schemas(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"Organisation", "Person", "Area", "Infrastructure", "Labels", "Sector"} <= set(schemas)
    page_schema = spec["paths"]["/organisations"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert page_schema["$ref"].startswith("#/components/schemas/Page")
    parameters = {p["name"] for p in spec["paths"]["/organisations"]["get"]["parameters"]}
    assert {"q", "sector", "kind", "area", "limit", "offset"} <= parameters
