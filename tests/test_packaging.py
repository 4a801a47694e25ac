"""jumeau as users install it: a built wheel in a fresh environment, away from this checkout.

The wheel must carry every file the engine reads (class table, remappings, Montana
coefficients, the report's template) and make the demo district without the
repository's ``data/`` folder. The fresh environment borrows the test environment's
third-party packages (a path entry to its site-packages, whose own ``.pth`` files, the
editable install's among them, are then not run), so only jumeau comes from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built from a copy: setuptools writes build/ and *.egg-info/ next to the sources it builds.
    source = tmp_path_factory.mktemp("source") / "jumeau"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "runs", "results", "artifacts", "__pycache__", "*.egg-info"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w",
                    str(dist), str(source)], check=True, cwd=dist)
    (built,) = dist.glob("jumeau-*.whl")
    return built


def test_the_wheel_holds_the_data_the_engine_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("jumeau/data/landcover_classes.csv", "jumeau/data/remap/umep.csv", "jumeau/data/remap/corine.csv",
                   "jumeau/data/storms/montana.csv", "jumeau/study/templates/report.html", "jumeau/demo.py"):
        assert needed in names, f"{needed} is missing from {wheel.name}"
    assert not any(name.startswith(("data/", "tests/", "scenarios/")) for name in names)


def test_the_installed_wheel_makes_the_demo_and_runs_a_scenario(wheel, tmp_path):
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)], check=True)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "MPLBACKEND": "Agg"}
    env.pop("PYTHONPATH", None)

    def jumeau(*args: str) -> str:
        done = subprocess.run([str(env_dir / "bin" / "jumeau"), *args], cwd=work, env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, f"jumeau {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    location = subprocess.run([str(python), "-c", "import jumeau; print(jumeau.__file__)"], cwd=work, env=env,
                              check=True, capture_output=True, text=True).stdout
    assert location.startswith(purelib), f"jumeau imported from {location}, not from the wheel"

    summary = jumeau("demo", "-o", "maps")  # the demo district, generated into the cache
    assert "Quartier de démonstration" in summary and (work / "maps" / "demo_landcover.png").is_file()
    (demo_site,) = (tmp_path / "cache" / "jumeau").glob("demo-*/site.yaml")
    assert "Buildings" in jumeau("info", str(demo_site))

    # one small scenario on a corner of the demo (the schoolyard), with a short storm
    config = yaml.safe_load(demo_site.read_text(encoding="utf-8"))
    for section in config.values():
        if isinstance(section, dict) and "path" in section:
            section["path"] = str(demo_site.parent / section["path"])
    config["bounds"] = [430800, 6712560, 431000, 6712720]
    site = work / "small.yaml"
    site.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (work / "baseline.yaml").write_text("id: baseline\ntitle: Actuel\nforcing: {storm: {duration: 15, after_rain: 5}}\n",
                                        encoding="utf-8")
    (work / "oasis.yaml").write_text(textwrap.dedent("""\
        id: oasis
        title: Cour oasis
        interventions:
          - type: depave
            where: {wkt: "POLYGON ((430890 6712625, 430945 6712625, 430945 6712665, 430890 6712665, 430890 6712625))"}
            cost: {unit_cost: 180}
        """), encoding="utf-8")
    jumeau("run", str(site), "baseline.yaml", "oasis.yaml", "-o", "runs", "--workers", "1")
    assert (work / "runs" / "oasis" / "indicators.csv").is_file()
    jumeau("compare", "runs", "-o", "report.html")
    report = (work / "report.html").read_text(encoding="utf-8")
    assert "Cour oasis" in report and "data:image/png;base64," in report
