"""The import, reconcile and diff verbs: output and exit codes (0 ok, 1 finding, 2 input error).

``kg.cli`` registers them through :func:`kg.importcli.add_subcommands`; this harness builds a
parser the same way (sub-parsers plus a parent parser with --store and --base-iri) and maps
errors to exit codes as ``kg.cli.main`` does.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kg import importcli
from kg.config import Settings
from kg.errors import LskgError, ValidationFailed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="lskg")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store")
    common.add_argument("--base-iri", dest="base_iri")
    verbs = parser.add_subparsers(dest="verb", required=True)
    importcli.add_subcommands(verbs, common)
    args = parser.parse_args(list(argv))
    try:
        code: int = args.func(args)
    except ValidationFailed:
        return 1
    except LskgError:
        return 2
    return code


@pytest.fixture
def lskg(settings: Settings, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run a verb against the fixture store; returns (exit code, stdout, stderr)."""

    def call(*argv: str) -> tuple[int, str, str]:
        data = [] if argv[0] == "diff" else ["--data", str(settings.data_dir)]
        code = run(*argv, "--store", settings.store, *data)
        out, err = capsys.readouterr()
        return code, out, err

    return call


def test_import_prints_what_it_did_and_exits_0(lskg: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = lskg("import", str(FIXTURES / "organisations.csv"), "--kind", "organisations")
    assert code == 0
    assert out.splitlines()[:2] == [
        "Imported organisations.csv (csv) as graph <https://w3id.org/lskg/graph/import-organisations>",
        "  3 rows, 16 facts, 2 new entities",
    ]


def test_import_of_a_sheet_with_errors_lists_them_on_stderr_and_exits_1(
    lskg: Callable[..., tuple[int, str, str]],
) -> None:
    code, out, err = lskg("import", str(FIXTURES / "organisations-10-errors.csv"), "--kind", "organisations")
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert lines[0] == "lskg: organisations-10-errors.csv: 10 error(s); nothing was written"
    assert lines[2] == (
        "  row 3, column Sector: unknown sector 'pharma'; use one of academia, civil-society, healthcare, industry, public"
    )
    assert len(lines) == 11


def test_import_errors_as_json_name_row_column_and_message(lskg: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = lskg(
        "import", str(FIXTURES / "organisations-10-errors.csv"), "--kind", "organisations", "--format", "json"
    )
    document = json.loads(out)
    assert code == 1 and document["ok"] is False
    assert document["errors"][4] == {
        "row": 6,
        "column": "Org number",
        "message": "'556016-0681' fails the organisation number's check digit (Luhn)",
    }


def test_import_of_a_sheet_without_kind_is_an_input_error_exit_2(
    lskg: Callable[..., tuple[int, str, str]],
) -> None:
    code, _, _ = lskg("import", str(FIXTURES / "organisations.csv"))
    assert code == 2


def test_reconcile_exits_1_while_probable_duplicates_await_a_decision(
    lskg: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    sheet = tmp_path / "universities.csv"
    sheet.write_text(
        "Label (sv),Label,Kind,Sector\nLinköpings universitet,,University,academia\n", encoding="utf-8"
    )
    assert lskg("import", str(sheet), "--kind", "organisations")[0] == 0
    code, out, _ = lskg("reconcile", "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert [(c["imported_label"], c["existing_label"], c["score"]) for c in document["candidates"]] == [
        ("Linköpings universitet", "Linköping University", 1.0)
    ]
    code, out, _ = lskg("reconcile", "--accept", document["candidates"][0]["id"])
    assert code == 0
    assert out.startswith("Merged 1:")


def test_diff_exits_1_on_differences_and_0_without(
    lskg: Callable[..., tuple[int, str, str]], settings: Settings, tmp_path: Path
) -> None:
    before = Path(settings.store).resolve()
    assert lskg("import", str(FIXTURES / "people.csv"), "--kind", "people")[0] == 0
    code, out, _ = lskg("diff", str(before), settings.store, "--summary")
    assert code == 1
    assert out.splitlines()[:2] == [
        "<graph/import-people>  +10 -0",
        "<graph/import-people/provenance>  +62 -0",
    ]
    assert lskg("diff", settings.store, settings.store)[0] == 0
