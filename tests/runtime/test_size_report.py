"""tools/size_report.py: the -Os core (loader and verifier, planner, interpreter) stays within 20 KiB on x86-64."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from native_build import require

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "size_report.py"


def test_core_fits_20_kib_on_x86_64() -> None:
    require("gcc", "size")
    result = subprocess.run([sys.executable, str(SCRIPT), "--json"], capture_output=True, text=True)
    report = json.loads(result.stdout)
    x86 = report["targets"]["x86-64"]
    assert x86["core_bytes"] <= report["core_limit_bytes"] == 20 * 1024, x86["groups"]["core"]
    assert result.returncode == 0
    assert {"kernel conv_2d", "kernel fully_connected", "kernel mean"} <= set(x86["groups"])
