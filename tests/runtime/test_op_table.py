"""The README's operator table is generated from the op registry (tools/op_table.py over
ember.runtime.op_registry(), i.e. ember_op_registry_entry): it fails here when README.md is out of date with the
registry, and the registry itself is checked against edge_runtime/src/op_registry.c's kernel tables and against
the loader, which refuses a tensor type outside a kernel's `types`."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from single_op import one_op_model
from tflite_builder import TensorSpec

import ember.runtime
from ember.runtime import RuntimeModelError
from ember.tools import op_table

ROOT = Path(__file__).resolve().parents[2]


def test_readme_op_table_is_up_to_date_with_the_registry() -> None:
    text = (ROOT / "README.md").read_text()
    assert op_table.splice(text, op_table.render()) == text, "README's op table is stale: run python tools/op_table.py"


def test_the_registry_lists_every_kernel_of_op_registry_c() -> None:
    source = (ROOT / "edge_runtime" / "src" / "op_registry.c").read_text()
    builtin_table = source[source.index("kernels[] = {"):source.index("};")]
    custom_table = source[source.index("custom_kernels[] = {"):]
    custom_table = custom_table[:custom_table.index("};")]
    entries = ember.runtime.op_registry()
    builtin = [e for e in entries if not e["custom"]]
    assert len(builtin) == len(re.findall(r"&ember_kernel_\w+", builtin_table))
    assert len(entries) - len(builtin) == len(re.findall(r"&ember_kernel_\w+", custom_table))
    names = {e["name"] for e in entries}
    assert {"CONV_2D", "FULLY_CONNECTED", "DEQUANTIZE", "TFLite_Detection_PostProcess"} <= names
    for e in entries:
        # CALL_ONCE takes and gives no tensors (the loader checks it has none), so it computes on no type.
        assert e["max_version"] >= 1 and (e["types"] or e["name"] == "CALL_ONCE"), e


def test_the_types_bits_are_what_the_loader_enforces() -> None:
    by_name = {e["name"]: e for e in ember.runtime.op_registry()}
    assert "int8" not in by_name["SIN"]["types"] and "float32" in by_name["SIN"]["types"]
    # SIN: LiteRT has no quantised kernel for it either
    with pytest.raises(RuntimeModelError, match="SIN 0: tensor 'x' is int8, a type this kernel does not take"):
        ember.runtime.Interpreter(model_content=one_op_model(
            "SIN", [TensorSpec("x", [4], "int8", scales=[0.1], zero_points=[0])],
            [TensorSpec("y", [4], "int8", scales=[0.1], zero_points=[0])]))
    it = ember.runtime.Interpreter(model_content=one_op_model("ABS", [TensorSpec("x", [4])], [TensorSpec("y", [4])]))
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], np.array([-1, 2, -3, 0], np.float32))
    it.invoke()
    np.testing.assert_array_equal(it.get_tensor(it.get_output_details()[0]["index"]), [1, 2, 3, 0])


def test_check_mode_fails_on_a_stale_readme_and_passes_once_written(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{op_table.BEGIN}\n| stale |\n{op_table.END}\nrest\n")
    assert op_table.main(["--check", "--readme", str(readme)]) == 1
    assert op_table.main(["--readme", str(readme)]) == 0
    assert op_table.main(["--check", "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("rest\n") and "| CONV_2D | yes | yes | yes |" in text
    readme.write_text("no markers\n")
    with pytest.raises(ValueError, match="no op table markers"):
        op_table.main(["--readme", str(readme)])
