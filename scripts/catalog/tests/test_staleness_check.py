"""check.sh, the CI step that fails when the committed catalog is not what the generator writes."""
import os
import shutil
import subprocess

from conftest import CATALOG, ROOT

COMMITTED = os.path.join(ROOT, "Sources", "Detector", "Resources", "generated")


def run_check(directory):
    environment = dict(os.environ, CATALOG_GENERATED_DIR=directory)
    return subprocess.run(["bash", os.path.join(CATALOG, "check.sh"), "--skip-tests"], env=environment,
                          capture_output=True, text=True, timeout=600)


def test_committed_files_are_fresh_and_generation_is_deterministic():
    result = run_check(COMMITTED)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "up to date" in result.stdout


def test_a_stale_file_fails_with_the_fix(tmp_path):
    stale = tmp_path / "generated"
    shutil.copytree(COMMITTED, stale)
    catalog = stale / "catalog.tsv"
    lines = catalog.read_text(encoding="utf-8").splitlines(keepends=True)
    # A hand edit: a generated entry's change kind flipped.
    index = next(i for i, line in enumerate(lines) if "\tM\tmodify\t" in line and "\tg:" in line)
    lines[index] = lines[index].replace("\tM\tmodify\t", "\tM\tdelete\t", 1)
    catalog.write_text("".join(lines), encoding="utf-8")
    result = run_check(str(stale))
    assert result.returncode == 1
    assert "stale" in result.stderr and "scripts/catalog/generate.sh" in result.stderr
    assert "catalog.tsv" in result.stderr  # the diff names the file
