"""The lskg command: outputs and exit codes (0 ok, 1 finding, 2 usage or input error)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import main

BASE = "https://w3id.org/lskg/"


def lskg(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_stats_reports_provenance_for_every_fact(
    capsys: pytest.CaptureFixture[str], real_store_path: Path
) -> None:
    code, out, _ = lskg(capsys, "stats", "--store", str(real_store_path), "--format", "json")
    stats = json.loads(out)
    assert code == 0
    assert stats["facts_with_provenance"] == stats["facts"] > 700
    assert stats["classes"]["http://xmlns.com/foaf/0.1/Person"] >= 21  # the seeds name 21 people
    assert stats["triples"] == sum(stats["graphs"].values())
    assert stats["classes"]["https://w3id.org/lskg/ontology#CollaborationArea"] == 8


def test_query_by_name_prints_a_table(capsys: pytest.CaptureFixture[str], real_store_path: Path) -> None:
    code, out, _ = lskg(capsys, "query", "office-ministries", "--store", str(real_store_path))
    assert code == 0
    assert "Näringsdepartementet@sv" in out
    assert out.rstrip().endswith("(3 rows)")


def test_query_with_a_parameter_as_csv(capsys: pytest.CaptureFixture[str], real_store_path: Path) -> None:
    code, out, _ = lskg(
        capsys,
        "query",
        "fact-provenance",
        "--store",
        str(real_store_path),
        "--format",
        "csv",
        "--param",
        "subject=id/person/jenni-nordborg",
    )
    assert code == 0
    assert out.splitlines()[0] == "subject,predicate,object,file,startLine,endLine,url,read"
    assert "000_cfe27d1b3417dce0.txt,9,9" in out


def test_query_from_a_file_as_sparql_json(
    capsys: pytest.CaptureFixture[str], real_store_path: Path, tmp_path: Path
) -> None:
    rq = tmp_path / "count.rq"
    rq.write_text(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/lskg/graph/s000-life-science-office> { ?p a <http://xmlns.com/foaf/0.1/Person> } }"
    )  # the article's people
    code, out, _ = lskg(capsys, "query", str(rq), "--store", str(real_store_path), "--format", "json")
    assert code == 0
    assert json.loads(out)["results"]["bindings"][0]["n"]["value"] == "21"


def test_a_violation_query_with_rows_exits_one(
    capsys: pytest.CaptureFixture[str], real_store_path: Path, tmp_path: Path
) -> None:
    rq = tmp_path / "people-violation.rq"
    rq.write_text(
        "#+ summary: every person of the article, as if each were a problem\nSELECT ?p WHERE { GRAPH <https://w3id.org/lskg/graph/s000-life-science-office> { ?p a <http://xmlns.com/foaf/0.1/Person> } }"
    )
    code, _, err = lskg(capsys, "query", str(rq), "--store", str(real_store_path))
    assert code == 1
    assert "people-violation: 21 violation(s)" in err


def test_a_syntax_error_in_a_query_is_exit_two_with_the_position(
    capsys: pytest.CaptureFixture[str], real_store_path: Path, tmp_path: Path
) -> None:
    rq = tmp_path / "broken.rq"
    rq.write_text("SELECT ?x WHERE { ?x ?y }")
    code, _, err = lskg(capsys, "query", str(rq), "--store", str(real_store_path))
    assert code == 2
    assert "lskg: error: SPARQL syntax error at line 1, column 26" in err


def test_an_unknown_query_name_lists_the_known_ones(
    capsys: pytest.CaptureFixture[str], real_store_path: Path
) -> None:
    code, _, err = lskg(capsys, "query", "no-such-query", "--store", str(real_store_path))
    assert code == 2
    assert "no named query 'no-such-query'" in err and "office-ministries" in err


def test_export_nquads_holds_seed_facts_with_their_provenance(
    capsys: pytest.CaptureFixture[str], real_store_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "all.nq"
    code, _, err = lskg(
        capsys, "export", "--format", "nquads", "--output", str(target), "--store", str(real_store_path)
    )
    text = target.read_text(encoding="utf-8")
    assert code == 0 and "Wrote" in err
    assert (
        f'<{BASE}id/person/mikael-wiberg> <http://www.w3.org/2000/01/rdf-schema#label> "Mikael Wiberg" <{BASE}graph/s000-life-science-office> .'
        in text
    )
    assert (
        f'<{BASE}id/excerpt/cfe27d1b3417dce0/L68> <https://w3id.org/lskg/ontology#startLine> "68"^^<http://www.w3.org/2001/XMLSchema#integer> <{BASE}graph/s000-life-science-office/provenance> .'
        in text
    )
    assert not list(tmp_path.glob(".all.nq.tmp-*"))


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "trig", "jsonld"])
def test_export_writes_every_format(
    capsys: pytest.CaptureFixture[str], real_store_path: Path, tmp_path: Path, fmt: str
) -> None:
    import rdflib

    target = tmp_path / f"all.{fmt}"
    assert (
        lskg(capsys, "export", "--format", fmt, "--output", str(target), "--store", str(real_store_path))[0]
        == 0
    )
    parsed = rdflib.Dataset()
    parsed.parse(
        target, format={"turtle": "turtle", "ntriples": "nt", "trig": "trig", "jsonld": "json-ld"}[fmt]
    )
    assert len(parsed) > 5000 or sum(1 for _ in parsed.quads()) > 5000


def test_an_unknown_export_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--format", "yaml"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'yaml'" in capsys.readouterr().err


def test_commands_on_a_missing_store_say_how_to_build_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = lskg(capsys, "stats", "--store", str(tmp_path / "nothing"))
    assert code == 2
    assert "run `lskg build`" in err


def test_validate_a_conforming_file_exits_zero(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ttl = tmp_path / "ok.ttl"
    ttl.write_text(
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        '<http://e/p> a foaf:Person ; rdfs:label "P" .\n'
        "<http://e/m> a org:Membership ; org:member <http://e/p> ; org:organization <http://e/g> ; org:role <http://e/r> .\n"
        '<http://e/g> a <https://w3id.org/lskg/ontology#Group> ; rdfs:label "G"@en .\n'
        '<http://e/r> a org:Role ; <http://www.w3.org/2004/02/skos/core#prefLabel> "R"@en , "R"@sv .\n'
    )
    code, out, _ = lskg(capsys, "validate", str(ttl))
    assert (code, out.strip()) == (0, "Conforms: 0 violations, 0 warnings.")


def test_validate_reports_violations_as_json_and_exits_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ttl = tmp_path / "bad.ttl"
    ttl.write_text("<http://e/m> a <http://www.w3.org/ns/org#Membership> .")
    code, out, _ = lskg(capsys, "validate", str(ttl), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["conforms"] is False
    assert {(r["focus"], r["path"]) for r in report["results"]} == {
        ("http://e/m", "org:member"),
        ("http://e/m", "org:organization"),
        ("http://e/m", "org:role"),
    }


def test_validate_a_malformed_file_names_file_and_line_and_exits_two(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ttl = tmp_path / "broken.ttl"
    ttl.write_text('<http://e/a> <http://e/b> "ok" .\n<http://e/a> <http://e/b> "unterminated .\n')
    code, _, err = lskg(capsys, "validate", str(ttl))
    assert code == 2
    assert f"{ttl}:2:" in err


def test_validate_a_missing_file_exits_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = lskg(capsys, "validate", str(tmp_path / "nope.ttl"))
    assert code == 2
    assert "nope.ttl: no such file" in err


def test_validate_the_whole_dataset_has_no_violations(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lskg(capsys, "validate")
    assert code == 0
    assert out.startswith("Conforms: 0 violation(s)")


def test_build_prints_counts_and_is_idempotent(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    code, out, _ = lskg(capsys, "build", "--store", store)
    assert code == 0 and "facts carry provenance" in out and "SHACL: 0 violations" in out
    code, out, _ = lskg(capsys, "build", "--store", store)
    assert code == 0 and "is up to date" in out
