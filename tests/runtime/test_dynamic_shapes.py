"""Dynamic shapes (issue 14): ``resize_tensor_input`` then ``allocate_tensors`` against LiteRT's reference kernels.

The models are TensorFlow's converter output with dimensions left unknown (tests/data/tf/dynamic/, made by
make_dynamic_models.py): a CNN whose Flatten becomes SHAPE, STRIDED_SLICE, PACK, RESHAPE, an MLP, both with batch
None, and a fully convolutional model with batch, height and width None; float32 and full int8. Each is resized
to several shapes on one interpreter (and back), its details and outputs compared with LiteRT resized the same
way (float32 within 1e-5 relative, int8 bit-exact). Bad resizes are refused, by the same op as LiteRT, and
leave the interpreter working with its previous shapes. The zoo's exporter models write their batch into
RESHAPE's constant shape: resizing their batch must fail or succeed exactly where LiteRT's does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from single_op import assert_outputs_match

from ember.runtime import Interpreter, RuntimeModelError

DYNAMIC = Path(__file__).resolve().parents[1] / "data" / "tf" / "dynamic"
BATCHED = ["dyn_cnn_float32", "dyn_cnn_int8", "dyn_mlp_float32", "dyn_mlp_int8"]
FCN = ["dyn_fcn_float32", "dyn_fcn_int8"]


def _pair(name: str) -> tuple[Interpreter, LiteRTInterpreter]:
    path = str(DYNAMIC / f"{name}.tflite")
    return Interpreter(path), LiteRTInterpreter(path, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)


def _feed(details: dict, shape: list[int], rng: np.random.Generator) -> np.ndarray:
    if details["dtype"] == np.int8:
        return rng.integers(-128, 128, shape, dtype=np.int8)
    if details["dtype"] == np.int32:  # token ids
        return rng.integers(0, 8, shape, dtype=np.int32)
    return rng.standard_normal(shape).astype(np.float32)


def _same_details(ours: list[dict], ref: list[dict]) -> None:
    for a, b in zip(ours, ref, strict=True):
        assert a["index"] == b["index"] and a["name"] == b["name"]
        np.testing.assert_array_equal(a["shape"], b["shape"], err_msg=a["name"])
        np.testing.assert_array_equal(a["shape_signature"], b["shape_signature"], err_msg=a["name"])


def _run_both(ours: Interpreter, ref: LiteRTInterpreter, x: np.ndarray) -> list[np.ndarray]:
    index = ours.get_input_details()[0]["index"]
    for it in (ours, ref):
        it.set_tensor(index, x)
        it.invoke()
    # After invoke: LiteRT knows a RESHAPE's shape computed from SHAPE only then (ember already at allocate).
    _same_details(ours.get_output_details(), ref.get_output_details())
    got = [ours.get_tensor(d["index"]) for d in ours.get_output_details()]
    assert_outputs_match(got, [ref.get_tensor(d["index"]) for d in ref.get_output_details()])
    return got


def _resize_both(ours: Interpreter, ref: LiteRTInterpreter, shape: list[int], strict: bool = False) -> None:
    index = ours.get_input_details()[0]["index"]
    for it in (ours, ref):
        it.resize_tensor_input(index, shape, strict=strict)
    _same_details(ours.get_input_details(), ref.get_input_details())
    for it in (ours, ref):
        it.allocate_tensors()
    _same_details(ours.get_input_details(), ref.get_input_details())


@pytest.mark.parametrize("name", BATCHED)
def test_dynamic_batch_resized_to_1_3_8_and_back_matches_litert(name: str) -> None:
    ours, ref = _pair(name)
    ours.allocate_tensors()
    ref.allocate_tensors()
    _same_details(ours.get_tensor_details(), ref.get_tensor_details())
    rng = np.random.default_rng(0)
    details = ours.get_input_details()[0]
    assert details["shape_signature"][0] == -1
    for batch in (1, 3, 8, 3, 1):
        shape = [batch, *(int(d) for d in details["shape"][1:])]
        _resize_both(ours, ref, shape, strict=True)
        x = _feed(details, shape, rng)
        got = _run_both(ours, ref, x)
        assert got[0].shape[0] == batch
        # Each batch row is computed on its own: the same as running that row alone at batch 1.
        if batch > 1:
            alone = Interpreter(str(DYNAMIC / f"{name}.tflite"))
            alone.allocate_tensors()
            alone.set_tensor(details["index"], x[2:3])
            alone.invoke()
            np.testing.assert_array_equal(alone.get_tensor(ours.get_output_details()[0]["index"]), got[0][2:3])


@pytest.mark.parametrize("name", FCN)
def test_fully_convolutional_model_resized_in_batch_height_and_width(name: str) -> None:
    ours, ref = _pair(name)
    rng = np.random.default_rng(1)
    details = ours.get_input_details()[0]
    np.testing.assert_array_equal(details["shape_signature"], [-1, -1, -1, 3])
    for shape in ([1, 16, 16, 3], [3, 9, 17, 3], [2, 1, 1, 3], [1, 32, 24, 3], [1, 16, 16, 3]):
        _resize_both(ours, ref, shape, strict=True)
        _run_both(ours, ref, _feed(details, shape, rng))


def test_resize_before_the_first_allocate_and_caller_visible_sizes() -> None:
    ours, ref = _pair("dyn_cnn_float32")
    index = ours.get_input_details()[0]["index"]
    before = ours.memory_plan()["arena_bytes"]
    ours.resize_tensor_input(index, [8, 12, 12, 3])
    ref.resize_tensor_input(index, [8, 12, 12, 3])
    # The arena the new shapes need is known at once, before allocate_tensors (the caller-buffer variant's size).
    assert ours.memory_plan()["arena_bytes"] > before
    assert ours.get_output_details()[0]["shape"].tolist() == [8, 5]
    ours.allocate_tensors()
    ref.allocate_tensors()
    assert ours.arena_bytes() == ours.memory_plan()["arena_bytes"]
    _run_both(ours, ref, _feed(ours.get_input_details()[0], [8, 12, 12, 3], np.random.default_rng(2)))


def test_invoke_between_resize_and_allocate_is_refused() -> None:
    ours, _ = _pair("dyn_mlp_float32")
    ours.allocate_tensors()
    ours.resize_tensor_input(ours.get_input_details()[0]["index"], [4, 20])
    with pytest.raises(RuntimeModelError, match="allocate_tensors"):
        ours.invoke()
    with pytest.raises(RuntimeModelError, match="allocate_tensors"):
        ours.set_tensor(ours.get_input_details()[0]["index"], np.zeros([4, 20], np.float32))


def test_strict_resize_refuses_static_dims_like_litert() -> None:
    ours, ref = _pair("dyn_cnn_float32")
    index = ours.get_input_details()[0]["index"]
    with pytest.raises(RuntimeError, match="only allows mutating unknown dimensions"):
        ref.resize_tensor_input(index, [1, 10, 12, 3], strict=True)
    with pytest.raises(ValueError, match="dim 1 is 12 and not dynamic"):
        ours.resize_tensor_input(index, [1, 10, 12, 3], strict=True)
    np.testing.assert_array_equal(ours.get_input_details()[0]["shape"], [1, 12, 12, 3])


def _check_still_works(ours: Interpreter, ref: LiteRTInterpreter, shape: list[int]) -> None:
    """After a refused resize: the previous shapes, and invoke gives LiteRT's outputs at them."""
    details = ours.get_input_details()[0]
    np.testing.assert_array_equal(details["shape"], shape)
    ref.resize_tensor_input(details["index"], shape)
    ref.allocate_tensors()
    ours.allocate_tensors()  # nothing to do when the refusal kept the arena; else plans it afresh
    _same_details(ours.get_input_details(), ref.get_input_details())
    _run_both(ours, ref, _feed(details, shape, np.random.default_rng(3)))


def test_image_too_small_for_the_convolutions_is_refused_naming_the_op() -> None:
    ours, ref = _pair("dyn_cnn_float32")
    index = ours.get_input_details()[0]["index"]
    _resize_both(ours, ref, [3, 12, 12, 3])
    # 2x2 -> depthwise stride 2 -> 1x1 -> MAX_POOL_2D 2x2 VALID: 0x0, which LiteRT's next CONV_2D refuses.
    ref.resize_tensor_input(index, [3, 2, 2, 3])
    with pytest.raises(RuntimeError, match=r"\(CONV_2D\) failed to prepare"):
        ref.allocate_tensors()
    ours.resize_tensor_input(index, [3, 2, 2, 3])
    with pytest.raises(RuntimeModelError) as info:
        ours.allocate_tensors()
    message = str(info.value)
    # ember refuses at the pool already (its kernels take no empty window output; LiteRT's pool makes one).
    assert "input 0" in message and "[3,2,2,3]" in message and "MAX_POOL_2D 2" in message, message
    _check_still_works(ours, LiteRTInterpreter(str(DYNAMIC / "dyn_cnn_float32.tflite"),
                                               experimental_op_resolver_type=OpResolverType.BUILTIN_REF),
                       [3, 12, 12, 3])


@pytest.mark.parametrize("allocated", [True, False])
def test_shape_a_kernel_refuses_at_allocate_restores_the_previous_shapes(allocated: bool) -> None:
    ours, ref = _pair("dyn_cnn_int8")
    index = ours.get_input_details()[0]["index"]
    if allocated:
        _resize_both(ours, ref, [3, 12, 12, 3])
    # 4 channels into a convolution with 3-channel filters: the shapes propagate, CONV_2D's prepare refuses.
    ref.resize_tensor_input(index, [3, 12, 12, 4])
    with pytest.raises(RuntimeError, match="CONV_2D|failed to prepare"):
        ref.allocate_tensors()
    ours.resize_tensor_input(index, [3, 12, 12, 4])
    with pytest.raises(RuntimeModelError) as info:
        ours.allocate_tensors()
    message = str(info.value)
    assert "input 0" in message and "[3,12,12,4]" in message and "CONV_2D" in message, message
    assert "previous shapes" in message
    _check_still_works(ours, LiteRTInterpreter(str(DYNAMIC / "dyn_cnn_int8.tflite"),
                                               experimental_op_resolver_type=OpResolverType.BUILTIN_REF),
                       [3, 12, 12, 3] if allocated else [1, 12, 12, 3])


def test_resize_arguments_are_checked() -> None:
    ours, _ = _pair("dyn_mlp_float32")
    index = ours.get_input_details()[0]["index"]
    output = ours.get_output_details()[0]["index"]
    with pytest.raises(RuntimeModelError, match="rank 2.*the rank cannot change"):
        ours.resize_tensor_input(index, [1, 2, 10])
    with pytest.raises(RuntimeModelError, match="dims must be >= 0"):
        ours.resize_tensor_input(index, [-2, 20])
    with pytest.raises(ValueError, match="not a graph input"):
        ours.resize_tensor_input(output, [1, 4])
    with pytest.raises(ValueError, match="1-D list of ints"):
        ours.resize_tensor_input(index, [[1, 20]])
    # 42 elements do not make rows of 20 (LiteRT truncates to 2 rows and reads past the input's end).
    ours.resize_tensor_input(index, [2, 21])
    with pytest.raises(RuntimeModelError, match="FULLY_CONNECTED 0 cannot take input"):
        ours.allocate_tensors()
    ours.allocate_tensors()
    ours.set_tensor(index, np.ones([1, 20], np.float32))
    ours.invoke()


def _zoo_names() -> list[str]:
    from ember.vision import models

    return list(models.MODELS)


@pytest.mark.parametrize("name", _zoo_names())
def test_zoo_models_batch_resize_fails_or_succeeds_as_in_litert(tmp_path, name: str) -> None:
    import ember
    import ember.export
    from ember.vision import models

    model = models.MODELS[name].build().eval()
    path = tmp_path / f"{name}.tflite"
    ember.export.to_tflite(model, ember.tensor(models.example_input(name)), path)
    ours = Interpreter(str(path))
    ref = LiteRTInterpreter(str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    details = ours.get_input_details()[0]
    shape = [3, *(int(d) for d in details["shape"][1:])]
    ref.resize_tensor_input(details["index"], shape)
    try:
        ref.allocate_tensors()
    except RuntimeError as e:
        # The exporter writes the batch into RESHAPE's constant shape: LiteRT names the op that cannot prepare.
        # unet_transposed's TRANSPOSE_CONV keeps output_shape's batch 1 in LiteRT (its CONCATENATION then fails);
        # ember refuses at that TRANSPOSE_CONV.
        op = "TRANSPOSE_CONV" if name == "unet_transposed" else str(e).split("(")[-1].split(")")[0]
        ours.resize_tensor_input(details["index"], shape)
        with pytest.raises(RuntimeModelError, match=op):
            ours.allocate_tensors()
        _check_still_works(ours, LiteRTInterpreter(str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF),
                           [1, *shape[1:]])
        return
    ours.resize_tensor_input(details["index"], shape)
    ours.allocate_tensors()
    rng = np.random.default_rng(4)
    feeds = [_feed(d, [int(s) for s in d["shape"]], rng) for d in ours.get_input_details()]
    for it in (ours, ref):
        for d, x in zip(it.get_input_details(), feeds, strict=True):
            it.set_tensor(d["index"], x)
        it.invoke()
    _same_details(ours.get_output_details(), ref.get_output_details())
    assert_outputs_match([ours.get_tensor(d["index"]) for d in ours.get_output_details()],
                         [ref.get_tensor(d["index"]) for d in ref.get_output_details()], optimized=False)


def test_resize_with_worker_threads_and_a_refusal_in_between() -> None:
    """The worker pool lives in the arena: a resize moves it to the new arena, a refusal back to the old one."""
    path = str(DYNAMIC / "dyn_cnn_int8.tflite")
    ours = Interpreter(path, num_threads=2)
    ref = LiteRTInterpreter(path, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    index = ours.get_input_details()[0]["index"]
    rng = np.random.default_rng(5)
    ours.allocate_tensors()
    for shape in ([8, 12, 12, 3], [8, 12, 12, 5], [2, 12, 12, 3]):
        ours.resize_tensor_input(index, shape)
        if shape[3] != 3:
            with pytest.raises(RuntimeModelError, match="CONV_2D"):
                ours.allocate_tensors()
            shape = [8, 12, 12, 3]  # kept, with its pool
        else:
            ours.allocate_tensors()
        assert ours.num_threads == 2
        ref.resize_tensor_input(index, shape)
        ref.allocate_tensors()
        _run_both(ours, ref, _feed(ours.get_input_details()[0], shape, rng))
