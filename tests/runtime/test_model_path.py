"""Interpreter(model_path=) looks at the file's header before reading it, and maps large files instead of reading
them: a 4 GiB sparse file is refused with the runtime's usual message in well under a second and without its
memory; a valid model loaded from a path (read or mapped) gives LiteRT's outputs."""

from __future__ import annotations

import mmap
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from tflite_builder import mlp_model

import ember.runtime.interpreter as runtime_interpreter
from ember.runtime import Interpreter, RuntimeModelError

# Loads the file in a fresh interpreter and reports the error, the seconds taken and the growth of peak RSS.
PROBE = textwrap.dedent("""
    import resource, sys, time
    from ember.runtime import Interpreter, RuntimeModelError
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    try:
        Interpreter(model_path=sys.argv[1])
        message = "loaded"
    except RuntimeModelError as e:
        message = str(e)
    seconds = time.monotonic() - start
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(f"{seconds:.3f} {grown_kib} {message}")
""")


def _probe(path: Path) -> tuple[float, int, str]:
    result = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    seconds, grown_kib, message = result.stdout.strip().split(" ", 2)
    return float(seconds), int(grown_kib), message


def _sparse(path: Path, header: bytes, size: int = 4 << 30) -> Path:
    with open(path, "wb") as f:
        f.write(header)
        f.truncate(size)  # a hole: no disk, and no memory unless someone reads it
    return path


@pytest.mark.parametrize(("header", "expected"), [
    (b"", "invalid model: not a TFLite model: file identifier is 00 00 00 00, expected \"TFL3\""),
    (b"\x18\0\0\0ABCD", "invalid model: not a TFLite model: file identifier is 41 42 43 44, expected \"TFL3\""),
    # A valid identifier: mapped, and the verifier refuses the zero root offset after reading 4 bytes.
    (b"\0\0\0\0TFL3", "invalid model: model root table: offset is zero or larger than 2 GiB"),
])
def test_huge_sparse_file_is_refused_quickly_without_reading_it(tmp_path: Path, header: bytes,
                                                                 expected: str) -> None:
    seconds, grown_kib, message = _probe(_sparse(tmp_path / "huge.tflite", header))
    assert message.startswith(expected), message
    assert seconds < 1.0, f"took {seconds:.2f} s"
    assert grown_kib < 64 * 1024, f"peak RSS grew by {grown_kib} KiB for a {4 << 30}-byte file"
    # The same header check at the other end of sizes: a file shorter than the header.
    _sparse(tmp_path / "huge.tflite", b"", 5)
    with pytest.raises(RuntimeModelError, match=r"^invalid model: model is 5 bytes, too short for a TFLite file"):
        Interpreter(model_path=str(tmp_path / "huge.tflite"))


def _outputs(it, x: np.ndarray) -> np.ndarray:
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]["index"])


@pytest.mark.parametrize("mapped", [False, True])
def test_model_from_a_path_matches_litert(tmp_path: Path, monkeypatch, mapped: bool) -> None:
    case = mlp_model(np.random.default_rng(5), batch=3, hidden=20)
    path = tmp_path / "mlp.tflite"
    path.write_bytes(case.model)
    if mapped:  # every file counts as large: the runtime reads the weights from the read-only mapping
        monkeypatch.setattr(runtime_interpreter, "MMAP_THRESHOLD_BYTES", 0)
    assert isinstance(runtime_interpreter._model_file(path), mmap.mmap) == mapped
    ours = Interpreter(model_path=str(path))
    ref = LiteRTInterpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    rng = np.random.default_rng(6)
    for _ in range(2):
        x = rng.standard_normal(case.input_shape).astype(np.float32)
        np.testing.assert_allclose(_outputs(ours, x), _outputs(ref, x), rtol=1e-5, atol=1e-6)
