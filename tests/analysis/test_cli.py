"""The gaps and network verbs, run through argparse as kg.cli will run them."""

from __future__ import annotations

import argparse
import json

import networkx as nx
import pytest

from kg.analysis.cli import add_subcommands
from kg.errors import InputError, StoreUnavailable


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="lskg")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_gaps_writes_markdown_to_standard_output_by_default(ecosystem_dir, capsys):
    assert run("gaps", "--store", str(ecosystem_dir)) == 0
    assert capsys.readouterr().out.startswith("# Sector gap report\n")


def test_gaps_writes_json_to_a_file(ecosystem_dir, tmp_path):
    out = tmp_path / "gaps.json"
    assert run("gaps", "--format", "json", "--output", str(out), "--store", str(ecosystem_dir)) == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["areas"]) == 8


def test_network_export_writes_a_graph_networkx_can_read(ecosystem, ecosystem_dir, tmp_path):
    out = tmp_path / "people.graphml"
    argv = ["network", "export", "--graph", "people", "--format", "graphml", "--output", str(out)]
    assert run(*argv, "--store", str(ecosystem_dir)) == 0
    people = ecosystem.select(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> }"
    )
    assert nx.read_graphml(out).number_of_nodes() == int(people.values()[0][0])


def test_network_plot_writes_an_svg(ecosystem_dir, tmp_path):
    out = tmp_path / "orgs.svg"
    assert (
        run(
            "network", "plot", "--graph", "organisations", "--output", str(out), "--store", str(ecosystem_dir)
        )
        == 0
    )
    assert "<svg" in out.read_text(encoding="utf-8")


def test_an_unknown_graph_or_format_is_a_usage_error_with_exit_code_2(capsys):
    for argv in (
        ["network", "export", "--graph", "friends", "--format", "gexf", "--output", "x"],
        ["gaps", "--format", "pdf"],
        ["network"],
    ):
        with pytest.raises(SystemExit) as stop:
            run(*argv)
        assert stop.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_bad_output_paths_raise_input_errors(ecosystem_dir, tmp_path):
    with pytest.raises(InputError, match="must end in"):
        run("network", "plot", "--graph", "people", "--output", str(tmp_path / "p.jpg"))
    with pytest.raises(InputError, match="is a directory"):
        run("network", "export", "--graph", "people", "--format", "gexf", "--output", str(tmp_path))
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="into a directory"):
        run("network", "export", "--graph", "people", "--format", "csv", "--output", str(tmp_path / "file"))


def test_a_missing_store_says_how_to_build_one(tmp_path):
    with pytest.raises(StoreUnavailable, match="lskg build"):
        run("gaps", "--store", str(tmp_path / "nothing"))
