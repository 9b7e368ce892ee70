"""The wheel carries ontology/, data/ and queries/, and `lskg build` works from any folder."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.embedded_only("the installed wheel builds an on-disk store")
def test_an_installed_wheel_builds_and_queries_the_graph_from_another_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("lskg-*.whl")
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)], check=True
    )
    # Dependencies come from the development environment; lskg itself only from the wheel
    # (a path added by a .pth file does not have its own .pth files, such as the editable
    # install's, processed).
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "dev-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def lskg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv / "bin" / "lskg"), *args], cwd=elsewhere, capture_output=True, text=True
        )

    located = subprocess.run(
        [str(python), "-c", "from kg.paths import resource_dir; print(resource_dir('data'))"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert located.startswith(site) and located.endswith("kg/_resources/data")

    built = lskg("build")
    assert built.returncode == 0, built.stderr
    assert "facts carry provenance" in built.stdout
    assert (elsewhere / "var" / "store").is_symlink()

    queried = lskg("query", "collaboration-areas", "--format", "csv")
    assert queried.returncode == 0, queried.stderr
    assert len(queried.stdout.splitlines()) == 9  # header + eight areas
