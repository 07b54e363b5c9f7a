"""The tree stays ruff-clean and clang-format-clean (STYLE.md); the checks are part of the suite so CI enforces
them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_python_is_ruff_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    result = subprocess.run([ruff, "check", "train", "export", "tools", "tests", "edge_runtime/python", "setup.py"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_c_is_clang_format_clean():
    """Every C file in the tree is formatted by the checked-in .clang-format (STYLE.md)."""
    clang_format = shutil.which("clang-format")
    if clang_format is None:
        pytest.skip("clang-format is not installed (tools/test.sh installs it: apt-get install clang-format)")
    files = subprocess.run(["git", "ls-files", "*.c", "*.h"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    result = subprocess.run([clang_format, "--dry-run", "--Werror", *files], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-4000:]
