"""invoke() leaves the graph's inputs and outputs intact, as LiteRT does: invoking again without a new set_tensor
reads the same inputs and gives the same outputs. Checked on every zoo model (float32 and int8) and on the files
TensorFlow's converter wrote (tests/data/tf/), against LiteRT's reference kernels invoked the same way; and an
offline plan that puts a tensor over an input's bytes is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from single_op import assert_outputs_match
from tflite_builder import build_model, mlp_model

from ember.runtime import Interpreter, RuntimeModelError

TF_DATA = Path(__file__).resolve().parents[1] / "data" / "tf"
TF_MODELS = sorted(p.name for p in TF_DATA.glob("*.tflite"))


def _zoo_names() -> list[str]:
    from ember.vision import models

    return list(models.MODELS)


@pytest.fixture(scope="module")
def zoo_file(tmp_path_factory):
    """Exports a zoo model once per (name, kind) and returns its bytes and a float example input."""
    cache: dict[tuple[str, str], tuple[bytes, np.ndarray]] = {}

    def get(name: str, kind: str) -> tuple[bytes, np.ndarray]:
        if (name, kind) not in cache:
            import ember
            import ember.export
            from ember.vision import models

            model = models.MODELS[name].build().eval()
            x = models.example_input(name)
            path = tmp_path_factory.mktemp(name) / f"{name}_{kind}.tflite"
            if kind == "int8":
                calibration = [models.example_input(name, seed=s) for s in range(2)]
                ember.export.to_tflite(model, ember.tensor(x), path, quantize="int8", calibration=calibration)
            else:
                ember.export.to_tflite(model, ember.tensor(x), path)
            cache[name, kind] = (path.read_bytes(), models.example_input(name, seed=7))
        return cache[name, kind]

    return get


def _feeds(details: list[dict], example: np.ndarray | None, rng: np.random.Generator) -> list[np.ndarray]:
    """One value per input: the example (laid out and quantised as the input expects) or random data."""
    feeds = []
    for d in details:
        shape, dtype = tuple(int(s) for s in d["shape"]), np.dtype(d["dtype"])
        if example is not None and example.size == int(np.prod(shape)):
            x = example if example.shape == shape else example.transpose(0, 2, 3, 1)  # NCHW -> NHWC images
            x = x.reshape(shape)
            if dtype == np.int8:
                scale, zero_point = d["quantization"]
                x = np.clip(np.round(x / scale) + zero_point, -128, 127)
            feeds.append(np.ascontiguousarray(x.astype(dtype)))
        elif dtype == np.int8:
            feeds.append(rng.integers(-128, 128, shape, dtype=np.int8))
        else:
            feeds.append(rng.standard_normal(shape).astype(dtype))
    return feeds


def _outputs(it) -> list[np.ndarray]:
    return [np.array(it.get_tensor(d["index"])) for d in it.get_output_details()]


def _check_repeated_invoke(model: bytes, feeds: list[np.ndarray], optimized_tolerance: bool) -> None:
    ours = Interpreter(model_content=model)
    ref = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    for it in (ours, ref):
        it.allocate_tensors()
        for d, x in zip(it.get_input_details(), feeds, strict=True):
            it.set_tensor(d["index"], x)
    ours.invoke()
    first = _outputs(ours)
    ref.invoke()
    assert_outputs_match(first, _outputs(ref), optimized=optimized_tolerance)
    for _ in range(2):  # no set_tensor in between: the same inputs must still be there
        ours.invoke()
        ref.invoke()
        for d, x in zip(ours.get_input_details(), feeds, strict=True):
            np.testing.assert_array_equal(ours.get_tensor(d["index"]), x, err_msg=f"input '{d['name']}' changed")
        again = _outputs(ours)
        for a, b in zip(again, first, strict=True):
            np.testing.assert_array_equal(a, b)
        assert_outputs_match(again, _outputs(ref), optimized=optimized_tolerance)


@pytest.mark.parametrize("kind", ["float32", "int8"])
@pytest.mark.parametrize("name", _zoo_names())
def test_zoo_model_invoked_twice_keeps_inputs_and_outputs(zoo_file, name: str, kind: str) -> None:
    model, example = zoo_file(name, kind)
    details = LiteRTInterpreter(model_content=model).get_input_details()
    # Deep float models accumulate in a different order than LiteRT's kernels: the magnitude-relative floor of
    # single_op.assert_outputs_match(optimized=True); int8 is bit-exact either way.
    _check_repeated_invoke(model, _feeds(details, example, np.random.default_rng(0)), optimized_tolerance=True)


@pytest.mark.parametrize("name", TF_MODELS)
def test_tf_model_invoked_twice_keeps_inputs_and_outputs(name: str) -> None:
    model = (TF_DATA / name).read_bytes()
    details = LiteRTInterpreter(model_content=model).get_input_details()
    _check_repeated_invoke(model, _feeds(details, None, np.random.default_rng(1)), optimized_tolerance=False)


def test_no_planned_tensor_shares_bytes_with_an_input_or_output() -> None:
    """The runtime's own plan, which the exporter writes as "OfflineMemoryAllocation": graph inputs and outputs
    have bytes of their own."""
    case = mlp_model(np.random.default_rng(3), batch=2, hidden=16)
    plan = Interpreter(model_content=case.model).memory_plan()["offsets"]
    sizes = [int(np.prod(t.shape)) * 4 for t in case.tensors]
    for io in (0, 8):
        for i, offset in enumerate(plan):
            if i != io and offset >= 0:
                assert offset + sizes[i] <= plan[io] or plan[io] + sizes[io] <= offset, (io, i, plan)


def test_offline_plan_over_an_input_or_output_is_refused() -> None:
    case = mlp_model(np.random.default_rng(4), batch=2, hidden=16)
    greedy = Interpreter(model_content=case.model).memory_plan()["offsets"]
    last_intermediate = max(i for i, o in enumerate(greedy) if o >= 0 and i not in (0, 8))
    for io, kind in ((0, "input"), (8, "output")):
        # The last intermediate runs after the input's last reader (and the first before the output is
        # written), so only the whole-invoke lifetime of the graph input/output makes this a collision.
        other = last_intermediate if io == 0 else 1
        offsets = list(greedy)
        offsets[other] = offsets[io]
        model = build_model(case.tensors, case.ops, [0], [8],
                            metadata={"OfflineMemoryAllocation": Interpreter.offline_plan_metadata(offsets)})
        with pytest.raises(RuntimeModelError) as info:
            Interpreter(model_content=model)
        message = str(info.value)
        assert "OfflineMemoryAllocation" in message and "share bytes" in message, message
        assert f"tensors {min(io, other)} " in message and f"and {max(io, other)} " in message, message
        assert "graph inputs and outputs keep their bytes for the whole invoke" in message, (kind, message)
