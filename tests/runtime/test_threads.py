"""num_threads (LiteRT's meaning) in ember.runtime.Interpreter: the thread count the runtime reports, and outputs that
are the same bits for 1, 2, 3 and 4 threads on CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED cases big enough
to be split (the fast-path cases of test_kernels_fast.py, enlarged) and on zoo models, float32 and int8, each
also checked against LiteRT's BUILTIN_REF kernels (int8 bit-exact, float32 within 1e-5 relative)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from isa_levels import isa
from single_op import assert_outputs_match
from test_invoke_repeat import _feeds, zoo_file  # noqa: F401 (a fixture)
from test_kernels_fast import _conv_case, _fc_case, _float_tensors, _input, _out_size, _quant_tensors
from tflite_builder import OpSpec, build_model

from ember.runtime import Interpreter, RuntimeModelError

THREADS = (1, 2, 3, 4)


def _outputs(model: bytes, feeds: list[np.ndarray], threads: int | None) -> list[np.ndarray]:
    it = Interpreter(model_content=model, num_threads=threads)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), feeds, strict=True):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [np.array(it.get_tensor(d["index"])) for d in it.get_output_details()]


def _litert_ref(model: bytes, feeds: list[np.ndarray]) -> list[np.ndarray]:
    it = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), feeds, strict=True):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [np.array(it.get_tensor(d["index"])) for d in it.get_output_details()]


def _check_thread_counts(model: bytes, feeds: list[np.ndarray], optimized_tolerance: bool = False) -> None:
    one = _outputs(model, feeds, 1)
    for threads in THREADS[1:]:
        for a, b in zip(_outputs(model, feeds, threads), one, strict=True):
            differ = np.flatnonzero(a.view(np.uint8) != b.view(np.uint8))
            assert differ.size == 0, f"{threads} threads: {differ.size} bytes differ from 1 thread"
    assert_outputs_match(one, _litert_ref(model, feeds), optimized=optimized_tolerance)


def _large_conv(rng: np.random.Generator, depthwise: bool, quantized: bool):
    """A random convolution with enough output rows and multiply-adds to be split over 4 threads."""
    n, h, w = int(rng.integers(1, 3)), int(rng.integers(17, 40)), int(rng.integers(9, 40))
    cin = int(rng.choice([3, 8, 16, 17, 33]))
    cout = cin * int(rng.integers(1, 3)) if depthwise else int(rng.choice([16, 17, 32, 47]))
    kh, kw = (1, 1) if not depthwise and rng.random() < 0.4 else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    stride = 1 if rng.random() < 0.6 else 2
    fshape = [1, kh, kw, cout] if depthwise else [cout, kh, kw, cin]
    oh, ow = _out_size("SAME", h, kh, stride, 1), _out_size("SAME", w, kw, stride, 1)
    in_shape, out_shape = [n, h, w, cin], [n, oh, ow, cout]
    tensors = (_quant_tensors(rng, in_shape, fshape, 3 if depthwise else 0, cout, out_shape) if quantized
               else _float_tensors(rng, in_shape, fshape, cout, out_shape))
    options = {"padding": "SAME", "stride_h": stride, "stride_w": stride, "activation": "RELU6"}
    if depthwise:
        options["depth_multiplier"] = cout // cin
    op = OpSpec("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [0, 1, 2], [3], options,
                version=3 if quantized else 2)
    return build_model(tensors, [op], [0], [3]), [_input(rng, in_shape, quantized)]


def _large_fc(rng: np.random.Generator, quantized: bool):
    batch, n_in, n_out = int(rng.integers(2, 40)), int(rng.integers(200, 600)), int(rng.integers(30, 100))
    tensors = (_quant_tensors(rng, [batch, n_in], [n_out, n_in], 0, n_out, [batch, n_out]) if quantized
               else _float_tensors(rng, [batch, n_in], [n_out, n_in], n_out, [batch, n_out]))
    op = OpSpec("FULLY_CONNECTED", [0, 1, 2], [3], {"activation": "RELU"}, version=5 if quantized else 1)
    return build_model(tensors, [op], [0], [3]), [_input(rng, [batch, n_in], quantized)]


def test_num_threads_reports_the_threads_used() -> None:
    model, _ = _fc_case(np.random.default_rng(0), quantized=False)
    assert Interpreter(model_content=model).num_threads == 1  # LiteRT's default: None is one thread
    assert Interpreter(model_content=model, num_threads=0).get_num_threads() == 1  # 0 disables threading
    assert Interpreter(model_content=model, num_threads=3).num_threads == 3
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert Interpreter(model_content=model, num_threads=-1).num_threads == cores
    with pytest.raises(ValueError, match="num_threads"):
        Interpreter(model_content=model, num_threads=-2)
    with pytest.raises(RuntimeModelError, match="num_threads 1025"):
        Interpreter(model_content=model, num_threads=1025)
    with isa("reference"):  # the reference loops run on the calling thread
        assert Interpreter(model_content=model, num_threads=4).num_threads == 1


def test_threads_are_set_before_allocating() -> None:
    model, feeds = _large_fc(np.random.default_rng(1), quantized=True)
    it = Interpreter(model_content=model, num_threads=2)
    required = it.memory_plan()["arena_bytes"]
    it.allocate_tensors()
    assert it.arena_bytes() == required
    with pytest.raises(RuntimeModelError, match="before allocate_tensors"):
        it._native.set_num_threads(3)
    it.allocate_tensors()  # a second allocate changes nothing and starts no more threads
    assert it.num_threads == 2


@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("kind", ["conv", "depthwise", "fc"])
@pytest.mark.parametrize("seed", range(6))
def test_split_ops_give_the_same_bits_for_any_thread_count(seed: int, kind: str, quantized: bool) -> None:
    rng = np.random.default_rng(11000 + 100 * ["conv", "depthwise", "fc"].index(kind) + seed)
    case = _large_fc(rng, quantized) if kind == "fc" else _large_conv(rng, kind == "depthwise", quantized)
    _check_thread_counts(*case)


@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("kind", ["general", "pointwise", "large"])
@pytest.mark.parametrize("seed", range(3))
def test_fast_kernel_cases_give_the_same_bits_for_any_thread_count(seed: int, kind: str, quantized: bool) -> None:
    """test_kernels_fast.py's own cases (most too small to split: they must run inline just the same)."""
    rng = np.random.default_rng(7000 + 100 * ["general", "pointwise", "1x1_image", "large"].index(kind) + seed)
    _check_thread_counts(*_conv_case(rng, depthwise=False, quantized=quantized, kind=kind))
    rng = np.random.default_rng(9000 + seed)
    _check_thread_counts(*_fc_case(rng, quantized))


@pytest.mark.parametrize("kind", ["float32", "int8"])
@pytest.mark.parametrize("name", ["mobilenet_v2", "resnet20"])
def test_zoo_models_give_the_same_bits_for_any_thread_count(zoo_file, name: str, kind: str) -> None:  # noqa: F811
    model, example = zoo_file(name, kind)
    details = LiteRTInterpreter(model_content=model).get_input_details()
    # Deep float models accumulate in another order than LiteRT's kernels (test_invoke_repeat's tolerance).
    _check_thread_counts(model, _feeds(details, example, np.random.default_rng(0)), optimized_tolerance=True)
