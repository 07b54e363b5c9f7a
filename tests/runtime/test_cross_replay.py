"""The same bits on every platform: golden outputs made by LiteRT's reference kernels (BUILTIN_REF) on this machine
are replayed by `ember-replay` (edge_runtime/tools/ember_replay.c), cross-built static for aarch64 and armv7 and
run under qemu-user, for every kernel of edge_runtime/src/op_registry.c in float32 and int8.

Cases: every export rule's tiny model (test_export_rule_coverage.CASES) as float32 and as int8 with int8 and with
float edges, the kernel tests' random CONV_2D / DEPTHWISE_CONV_2D / pooling / MEAN cases, and one-op models for
what no export rule writes (shape ops, int8 MAXIMUM/MINIMUM/REDUCE_MAX/REDUCE_MIN, the int8 tables on all 256
codes, the 16x8 kernels of test_kernels_int16x8), and the dynamic-range (hybrid) kernels with TensorFlow's
dynamic-range files. On each target, integer outputs (int8, int16, int32) must equal
LiteRT's bytes, and float32 outputs must equal the x86-64 runtime's bytes (ember.runtime) and be within rtol 1e-5,
atol 1e-7 of LiteRT (of its default kernels for the ops its reference resolver lacks, ELU; int8 SUM's golden bytes
come from its builtin kernels without XNNPACK, as its reference kernel reads int8 codes as uint8). The op list comes
from the registry: an op without a float32 case, or without an int8 case unless it is float32-only, fails; the
logical ops, on bool only, need a bool case instead."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import tflite
from native_build import SOURCE, require, run
from single_op import ATOL, RTOL, _run, one_op_model, qspec, random_feed, run_ember, run_litert
from test_cross import TARGETS
from test_kernels_elementwise_logic import NOT_IN_REFERENCE
from tflite_builder import TensorSpec

# Kernels the runtime implements for float32 only (int8 files with them are refused, as by the exporter).
FLOAT32_ONLY = {"LOCAL_RESPONSE_NORMALIZATION", "DENSIFY",
                # RANGE has no int8 form in LiteRT either (float32, int32, int64)
                "RANGE",
                # no int8 in the runtime (NEG, POW, ZEROS_LIKE take int32/int64 too)
                "FLOOR", "SIN", "COS", "NEG", "POW", "ZEROS_LIKE",
                # int8 only as dynamic-range weights (float activations): its hybrid cases quantise float rows, so
                # a last-bit difference of x86-64's and aarch64's expf/tanhf moves a quantised value and the float
                # bits differ between targets (both within 1e-5 of LiteRT); the int8-activation LSTM is not built
                "UNIDIRECTIONAL_SEQUENCE_LSTM",
                # float32 and dynamic range only, as in LiteRT (its hybrid form: the LSTM's reason above)
                "BIDIRECTIONAL_SEQUENCE_LSTM"}
# Kernels on bool tensors only: they need a bool replay case instead of float32 and int8 ones.
BOOL_ONLY = {"LOGICAL_AND", "LOGICAL_OR", "LOGICAL_NOT"}


@dataclass
class Case:
    name: str
    model: bytes
    feeds: list[np.ndarray]
    # the LiteRT resolver whose outputs are golden where BUILTIN_REF is not the oracle (int8 SUM: its reference
    # kernel reads int8 codes as uint8, test_kernels_sum_int8.py)
    resolver: str | None = None


def registry_ops() -> set[str]:
    """The builtin ops of op_registry.c's kernel table (`&ember_kernel_conv_2d` -> CONV_2D)."""
    text = (SOURCE / "src" / "op_registry.c").read_text()
    table = text[text.index("kernels[] = {"):text.index("};")]
    return {name.upper() for name in re.findall(r"&ember_kernel_(\w+)", table)}


def ops_and_types(model: bytes) -> set[tuple[str, str]]:
    """(op name, tensor type) for each tensor type each operator of the model touches."""
    m = tflite.Model.GetRootAs(model, 0)
    names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
    types = {v: k.lower() for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}
    found = set()
    for s in range(m.SubgraphsLength()):  # the ops of called subgraphs (WHILE's body, ...) are replayed too
        sg = m.Subgraphs(s)
        for i in range(sg.OperatorsLength()):
            op = sg.Operators(i)
            name = names[m.OperatorCodes(op.OpcodeIndex()).BuiltinCode()]
            tensors = [int(t) for t in [*op.InputsAsNumpy(), *op.OutputsAsNumpy()]
                       if t >= 0 and sg.Tensors(int(t)).Type() != tflite.TensorType.RESOURCE]
            # An op without tensors (CALL_ONCE) or with only a variable's handle (VAR_HANDLE) runs alike in a
            # float32 and in an int8 model: it counts for the types of its subgraph.
            for t in tensors or range(sg.TensorsLength()):
                found.add((name, types[sg.Tensors(t).Type()]))
    return found


def _feeds_for(model: bytes, rng: np.random.Generator) -> list[np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter

    details = Interpreter(model_content=model).get_input_details()
    return [random_feed(TensorSpec("", list(d["shape"]), np.dtype(d["dtype"]).name), rng) for d in details]


def export_cases(tmp: Path) -> list[Case]:
    import test_export_rule_coverage as rules

    import ember
    import ember.export
    from ember.export.quantize.qparams import quantize_array

    def layout(x: np.ndarray, graph) -> np.ndarray:
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1)) if graph.layouts.get(graph.inputs[0].name) == "NHWC" \
            else x

    cases = []
    for name in rules.CASES:
        path = tmp / "export.tflite"
        graph = rules.export_float32(name, path)
        x = rules._example(name, 1)
        cases.append(Case(f"{name}/float32", path.read_bytes(), [layout(x, graph).astype(graph.inputs[0].dtype)]))
    for name in rules.INT8_CASES:
        calibration = [rules._example(name, s) for s in range(8)]
        for io in ("int8", "float"):
            path = tmp / "export.tflite"
            graph = ember.export.to_tflite(rules._model(name), ember.tensor(calibration[0]), path, quantize="int8",
                                           calibration=calibration, io=io)
            x = rules._example(name, 100)
            if io == "int8" and x.dtype == np.float32:
                x = quantize_array(x, graph.inputs[0].quant)
            cases.append(Case(f"{name}/int8_{io}_io", path.read_bytes(),
                              [layout(x, graph).astype(graph.inputs[0].dtype)]))
    return cases


def kernel_cases() -> list[Case]:
    import test_kernels_conv as conv
    import test_kernels_fast_elementwise as ew

    cases = []
    for seed in range(6):
        for quantized in (False, True):
            kind = "int8" if quantized else "float32"
            for depthwise in (False, True):
                model, xs = conv._conv_case(np.random.default_rng(seed), depthwise=depthwise, quantized=quantized)
                cases.append(Case(f"{'depthwise' if depthwise else 'conv'}_{seed}/{kind}", model, xs))
            for op in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
                model, xs = conv._pool_case(np.random.default_rng(3000 + seed), op, quantized)
                cases.append(Case(f"{op}_{seed}/{kind}", model, xs))
            model, xs = conv._mean_case(np.random.default_rng(4000 + seed), quantized, seed % 2 == 0)
            cases.append(Case(f"MEAN_{seed}/{kind}", model, xs))
    # The SIMD elementwise rows and column sums (NEON on aarch64): every broadcast kind, rows past 16 elements.
    for seed in range(2):
        for quantized in (False, True):
            kind = "int8" if quantized else "float32"
            for op in ("ADD", "SUB", "MUL"):
                for shapes in ew.KINDS:
                    rng = np.random.default_rng(16000 + 100 * ew.KINDS.index(shapes) + seed)
                    model, xs = ew._binary_case(rng, op, shapes, quantized, specials=False)
                    cases.append(Case(f"{op}_{shapes}_{seed}/{kind}", model, xs))
            for reduce in ("global_pool", "one_axis", "leading", "last_axis"):
                model, xs = ew._mean_case(np.random.default_rng(17000 + seed), quantized, reduce)
                cases.append(Case(f"MEAN_{reduce}_{seed}/{kind}", model, xs))
    return cases


def one_op_cases() -> list[Case]:
    rng = np.random.default_rng(7)
    cases = []

    def add(name: str, model: bytes, feeds: list[np.ndarray] | None = None) -> None:
        cases.append(Case(name, model, feeds if feeds is not None else _feeds_for(model, rng)))

    i32 = np.int32
    for dtype in ("float32", "int8"):
        v = 2 if dtype == "int8" else 1

        def t(name, shape, like=None, dtype=dtype):
            if dtype == "float32":
                return TensorSpec(name, shape)
            if like is not None:
                return TensorSpec(name, shape, "int8", scales=like.scales, zero_points=like.zero_points)
            return qspec(name, shape, rng)

        x = t("x", [2, 1, 3, 1])
        add(f"SQUEEZE/{dtype}", one_op_model("SQUEEZE", [x], [t("y", [2, 3], x)], {"squeeze_dims": [1, 3]}))
        add(f"SHAPE/{dtype}", one_op_model("SHAPE", [t("x", [2, 3, 5])], [TensorSpec("s", [3], "int32")]))
        x = t("x", [4, 6, 3])
        ints = [TensorSpec(k, [3], "int32", data=np.array(d, i32))
                for k, d in (("begin", [3, 1, 0]), ("end", [0, 6, 3]), ("strides", [-1, 2, 1]))]
        add(f"STRIDED_SLICE/{dtype}", one_op_model("STRIDED_SLICE", [x, *ints], [t("y", [3, 3, 3], x)],
                                                   {"begin_mask": 0b100}, version=v))
        x0 = t("x0", [2, 3])
        add(f"PACK/{dtype}", one_op_model("PACK", [x0, t("x1", [2, 3], x0)], [t("y", [2, 2, 3], x0)],
                                          {"values_count": 2, "axis": 1}, version=v))
        x = t("x", [1, 5, 4, 2])
        block = TensorSpec("block", [2], "int32", data=np.array([2, 2], i32))
        pads = TensorSpec("pads", [2, 2], "int32", data=np.array([[1, 0], [0, 0]], i32))
        add(f"SPACE_TO_BATCH_ND/{dtype}", one_op_model("SPACE_TO_BATCH_ND", [x, block, pads],
                                                       [t("y", [4, 3, 2, 2], x)], version=v))
        y = t("y", [4, 3, 2, 2])
        add(f"BATCH_TO_SPACE_ND/{dtype}", one_op_model("BATCH_TO_SPACE_ND", [y, block, pads],
                                                       [t("x", [1, 5, 4, 2], y)], version=v))
    for op in ("MAXIMUM", "MINIMUM"):
        a = qspec("a", [3, 4], rng)
        same = dict(scales=a.scales, zero_points=a.zero_points)
        add(f"{op}/int8", one_op_model(op, [a, TensorSpec("b", [4], "int8", **same)],
                                       [TensorSpec("y", [3, 4], "int8", **same)], version=2))
    for op in ("REDUCE_MAX", "REDUCE_MIN"):
        x = qspec("x", [3, 4, 5], rng)
        axes = TensorSpec("axes", [1], "int32", data=np.array([1], i32))
        add(f"{op}/int8", one_op_model(op, [x, axes], [TensorSpec("y", [3, 5], "int8", scales=x.scales,
                                                                      zero_points=x.zero_points)], version=2))
    codes = [np.arange(-128, 128, dtype=np.int8)]
    for op, out in (("LOGISTIC", (1 / 256, -128)), ("TANH", (1 / 128, 0)), ("HARD_SWISH", None), ("GELU", None),
                    ("LEAKY_RELU", None), ("RELU", None), ("RELU6", None)):
        x = qspec("x", [256], rng, scale=0.05, zero_point=3)
        y = qspec("y", [256], rng, scale=out[0], zero_point=out[1]) if out else qspec("y", [256], rng, scale=0.04)
        options = {"alpha": 0.1} if op == "LEAKY_RELU" else {}
        add(f"{op}_all_codes/int8", one_op_model(op, [x], [y], options, version=1 if op == "HARD_SWISH" else 2), codes)
    # LOG_SOFTMAX's fixed-point kernel on every (code, row maximum) pair, and rows whose Q12.19 sum wraps
    codes = np.arange(-128, 128)
    for dtype, zero_point in (("int8", 127), ("uint8", 255)):
        x = TensorSpec("x", [256, 256], dtype, scales=[0.05], zero_points=[3])
        y = TensorSpec("y", [256, 256], dtype, scales=[1 / 16], zero_points=[zero_point])
        feed = np.minimum(codes[None], codes[:, None]) + (128 if dtype == "uint8" else 0)
        add(f"LOG_SOFTMAX_all_codes/{dtype}", one_op_model("LOG_SOFTMAX", [x], [y], version=2),
            [feed.astype(dtype)])
    x = TensorSpec("x", [2, 5000], "int8", scales=[0.01], zero_points=[0])
    y = TensorSpec("y", [2, 5000], "int8", scales=[1 / 16], zero_points=[127])
    long_rows = np.full((2, 5000), 127, np.int8)
    long_rows[:, ::3] = 126
    long_rows[1, ::7] = -100
    add("LOG_SOFTMAX_wrapped_sum/int8", one_op_model("LOG_SOFTMAX", [x], [y], version=2), [long_rows])
    # int8 SUM (float32 requantisation, ties rounded away from zero) against LiteRT's builtin optimised kernel
    import test_kernels_sum_int8 as sums

    for name, args in (("SUM_axes_0_2", ([4, 3, 5], [0, -1], False, 0.03, 5, 0.2, -3)),
                       ("SUM_ties", ([16, 2], [1], True, 0.5, 1, 1.0, 0))):
        model = sums._sum_model(*args)
        cases.append(Case(f"{name}/int8", model, _feeds_for(model, rng), "BUILTIN_WITHOUT_DEFAULT_DELEGATES"))
    import test_kernels_sum_uint8 as sums_u8  # uint8 SUM: LiteRT's reference kernel, the oracle again

    model = sums_u8._sum_model([4, 3, 5], [0, -1], False, 0.03, 130, 0.2, 120)
    add("SUM_axes_0_2/uint8", model)
    x = qspec("x", [256], rng, scale=0.05, zero_point=-128)
    add("RSQRT_all_codes/int8", one_op_model("RSQRT", [x], [qspec("y", [256], rng, scale=0.02)], version=2),
        [np.arange(-128, 128, dtype=np.int8)])
    import test_kernels_spatial as spatial  # PRELU, RESIZE_BILINEAR, TRANSPOSE_CONV, ... (uint8 too)

    for name, model in spatial.seed_models():
        add(name, model)
    import test_kernels_shape_index as shape_index  # SPLIT, SLICE, TILE, GATHER_ND, ARG_MAX, ... (uint8 too)

    for name, model in shape_index.seed_models():
        add(name, model)
    # DENSIFY (and sparse constants) from TensorFlow's sparsity-optimised files; TF writes int8 sparse weights
    # straight into FULLY_CONNECTED, so DENSIFY itself is float32 only.
    for path in sorted((Path(__file__).resolve().parents[1] / "data" / "tf" / "i12fp16").glob("sparse_*.tflite")):
        add(f"{path.stem}", path.read_bytes())
    import test_kernels_elementwise_logic as logic  # comparisons, FLOOR_DIV, SELECT, CAST, ... (bool, int32 too)

    for name, model, feeds in logic.replay_cases():
        add(name, model, feeds)
    import test_kernels_div_quantized as div  # int8 and uint8 DIV, the shifts past 31 included

    for name, model, feeds in div.replay_cases():
        add(name, model, feeds)
    import test_kernels_int16x8 as int16x8  # 16x8: int16 convolutions, FC, QUANTIZE, ..., TensorFlow's CNN

    for name, model, feeds in int16x8.replay_cases():
        add(name, model, feeds)
    import test_kernels_int16x8_activations as int16_activations  # 16x8 SOFTMAX, LOGISTIC, TANH
    import test_kernels_int16x8_elementwise as int16_elementwise  # 16x8 ADD, SUB (both paths), MUL
    import test_kernels_int16x8_pooling as int16_pooling  # 16x8 AVERAGE_POOL_2D, MAX_POOL_2D

    for module in (int16_elementwise, int16_activations, int16_pooling):
        for name, model, feeds in module.replay_cases():
            add(name, model, feeds)
    # Control flow (WHILE with LESS and int32 ADD in its subgraphs, IF, CALL_ONCE), hand-built and from TensorFlow.
    import subgraph_builder as subgraphs

    def control_feeds(model: bytes, k: int) -> list[np.ndarray]:
        """A loop count (k), a branch (k odd) and random data, for the inputs of a control-flow model."""
        from ai_edge_litert.interpreter import Interpreter

        feeds = []
        for d in Interpreter(model_content=model).get_input_details():
            if d["dtype"] == np.bool_:
                feeds.append(np.array(k % 2 == 1))
            elif d["dtype"] == np.int32:
                feeds.append(np.array(k, np.int32))
            else:
                feeds.append(random_feed(TensorSpec("", list(d["shape"]), np.dtype(d["dtype"]).name), rng))
        return feeds

    models = []
    for dtype in ("float32", "int8"):
        models += [(f"WHILE/{dtype}", subgraphs.counted_loop(dtype)), (f"IF/{dtype}", subgraphs.two_branches(dtype)),
                   (f"CALL_ONCE/{dtype}", subgraphs.call_once_then_add(dtype))]
    for path in sorted((Path(__file__).resolve().parents[1] / "data" / "tf" / "control_flow").glob("*.tflite")):
        models.append((f"tf_{path.stem}", path.read_bytes()))
    # Resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE under CALL_ONCE): one invoke from the initial
    # state, hand-built and TensorFlow's streaming cells.
    models += [(f"VARIABLES/{dtype}", subgraphs.accumulator(dtype)) for dtype in ("float32", "int8")]
    for path in sorted((Path(__file__).resolve().parents[1] / "data" / "tf" / "variables").glob("stream_*.tflite")):
        models.append((f"tf_{path.stem}", path.read_bytes()))
    for k, (name, model) in enumerate(models):
        add(name, model, control_feeds(model, 3 + k % 2))
    # Recurrent: hand-built float32 LSTMs (not the hybrid ones: FLOAT32_ONLY says why); the RNN's hybrid case is
    # with the other dynamic-range ones below.
    import test_sequence_lstm as lstm

    for name in ("batch1", "relu"):
        add(f"UNIDIRECTIONAL_SEQUENCE_LSTM/{name}", lstm.lstm_model(**lstm.CASES[name]))
    import test_bidirectional_sequence_lstm as bilstm

    # RELU: the cell's TANH is libm's tanhf, whose last bit differs between x86-64 and aarch64 (as the LSTM's)
    add("BIDIRECTIONAL_SEQUENCE_LSTM/relu", bilstm.bilstm_model(options={"activation": "RELU"}))
    add("BIDIRECTIONAL_SEQUENCE_LSTM/merged_time_major_peephole_relu",
        bilstm.bilstm_model(merge_outputs=True, time_major=True, peephole=True, projection=True,
                            options={"activation": "RELU"}))
    import test_sequence_rnn as rnn

    add("UNIDIRECTIONAL_SEQUENCE_RNN/float32", rnn.rnn_model())
    add("UNIDIRECTIONAL_SEQUENCE_RNN/time_major_relu", rnn.rnn_model(time_major=True, activation="RELU", batch=3))
    add("LESS/float32", one_op_model("LESS", [TensorSpec("a", [3, 4]), TensorSpec("b", [4])],
                                     [TensorSpec("y", [3, 4], "bool")], version=1))
    # Dynamic range (float32 activations, int8 weights; test_kernels_hybrid): the row quantisation rounds with
    # roundf / round and the hybrid TANH is plain arithmetic, so the float bits agree on every target.
    import test_kernels_hybrid as hybrid

    h = np.random.default_rng(77)
    add("FULLY_CONNECTED/hybrid_asymmetric_tanh",
        hybrid.fc_model((3,), 20, 11, h, axis=0, asymmetric=True, activation="TANH"))
    add("FULLY_CONNECTED/hybrid_per_tensor", hybrid.fc_model((2,), 16, 5, h, axis=None, asymmetric=False))
    add("CONV_2D/hybrid_per_channel", hybrid.conv_model((1, 6, 6, 3), 4, 3, 3, h, axis=0, stride=(2, 1)))
    add("CONV_2D/hybrid_per_tensor", hybrid.conv_model((2, 5, 5, 2), 3, 3, 3, h, axis=None, activation="RELU"))
    add("DEPTHWISE_CONV_2D/hybrid", hybrid.depthwise_model((1, 6, 6, 4), 2, 3, 3, h))
    add("BATCH_MATMUL/hybrid", hybrid.bmm_model((2, 3, 8), (8, 5), h, per_channel=True, asymmetric=True))
    add("UNIDIRECTIONAL_SEQUENCE_RNN/hybrid_tanh",
        hybrid.hybrid_rnn_model(2, 4, 6, 5, h, activation="TANH", asymmetric=True))
    for path in sorted((Path(__file__).resolve().parents[1] / "data" / "tf" / "dynamic_range").glob("*.tflite")):
        add(f"tf_{path.stem}", path.read_bytes())
    return cases


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> list[Case]:
    return export_cases(tmp_path_factory.mktemp("export")) + kernel_cases() + one_op_cases()


def test_every_registered_kernel_has_float32_and_int8_replay_cases(cases):
    seen = set().union(*(ops_and_types(c.model) for c in cases))
    ops = registry_ops()
    no_float = sorted(op for op in ops - BOOL_ONLY if (op, "float32") not in seen)
    no_int8 = sorted(op for op in ops - FLOAT32_ONLY - BOOL_ONLY if (op, "int8") not in seen)
    no_bool = sorted(op for op in BOOL_ONLY if (op, "bool") not in seen)
    assert not no_float, f"registered kernels without a float32 replay case (add one to this file): {no_float}"
    assert not no_int8, f"registered kernels without an int8 replay case (add one, or name it in FLOAT32_ONLY): " \
        f"{no_int8}"
    assert not no_bool, f"bool-only kernels without a bool replay case: {no_bool}"
    assert not (FLOAT32_ONLY | BOOL_ONLY) - ops, f"FLOAT32_ONLY or BOOL_ONLY names ops the registry lacks: " \
        f"{sorted((FLOAT32_ONLY | BOOL_ONLY) - ops)}"


@pytest.fixture(scope="module")
def golden(cases, tmp_path_factory) -> tuple[Path, list[tuple[list[np.ndarray], list[np.ndarray]]]]:
    """Writes each case's model and input bytes; returns the folder and (LiteRT outputs, x86 runtime outputs)."""
    folder = tmp_path_factory.mktemp("golden")
    expected = []
    for i, case in enumerate(cases):
        (folder / f"{i}.tflite").write_bytes(case.model)
        (folder / f"{i}.in").write_bytes(b"".join(np.ascontiguousarray(x).tobytes() for x in case.feeds))
        # ops LiteRT's reference resolver lacks (ELU) take their golden outputs from its default kernels
        reference = not {op for op, _ in ops_and_types(case.model)} & NOT_IN_REFERENCE
        if case.resolver:
            from ai_edge_litert.interpreter import Interpreter, OpResolverType

            litert = _run(Interpreter(model_content=case.model,
                                      experimental_op_resolver_type=getattr(OpResolverType, case.resolver)),
                          case.feeds)
        else:
            litert = run_litert(case.model, case.feeds, reference=reference)
        expected.append((litert, run_ember(case.model, case.feeds)))
    return folder, expected


def _check_outputs(case: Case, raw: bytes, litert: list[np.ndarray], x86: list[np.ndarray], target: str) -> None:
    at = 0
    for k, (ref, ours_x86) in enumerate(zip(litert, x86, strict=True)):
        got = np.frombuffer(raw[at:at + ref.nbytes], ref.dtype).reshape(ref.shape)
        at += ref.nbytes
        what = f"{case.name} output {k} on {target}"
        if ref.dtype == np.float32:
            assert got.tobytes() == ours_x86.tobytes(), f"{what}: float32 bits differ from x86-64's " \
                f"(max |diff| {np.abs(got - ours_x86).max():.3g})"
            np.testing.assert_allclose(got, ref, rtol=RTOL, atol=ATOL, err_msg=f"{what} vs LiteRT")
        else:
            assert got.tobytes() == ref.tobytes(), f"{what}: bytes differ from LiteRT BUILTIN_REF " \
                f"(max |diff| {np.abs(got.astype(np.int64) - ref).max()})"
    assert at == len(raw), f"{case.name} on {target}: {len(raw)} output bytes, expected {at}"


def test_x86_runtime_matches_the_golden_outputs(cases, golden):
    _, expected = golden
    for case, (litert, x86) in zip(cases, expected, strict=True):
        raw = b"".join(np.ascontiguousarray(y).tobytes() for y in x86)
        _check_outputs(case, raw, litert, x86, "x86-64 (ember.runtime)")


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_cross_built_runtime_replays_golden_outputs_bit_exact(target, cases, golden, tmp_path):
    toolchain, compiler, qemu = TARGETS[target]
    require(compiler, qemu, "cmake")
    folder, expected = golden
    build = tmp_path / "build"
    run(["cmake", "-S", str(SOURCE), "-B", str(build), "-DEMBER_WERROR=ON", "-DEMBER_BUILD_TESTS=OFF",
         f"-DCMAKE_TOOLCHAIN_FILE={SOURCE / 'cmake' / toolchain}", "-DCMAKE_BUILD_TYPE=Release"], tmp_path)
    run(["cmake", "--build", str(build), "--target", "ember-replay", "--parallel", "2"], tmp_path)
    args = []
    for i in range(len(cases)):
        args += [str(folder / f"{i}.tflite"), str(folder / f"{i}.in"), str(tmp_path / f"{i}.out")]
    run([qemu, str(build / "ember-replay"), *args], tmp_path, timeout=300)
    for i, (case, (litert, x86)) in enumerate(zip(cases, expected, strict=True)):
        _check_outputs(case, (tmp_path / f"{i}.out").read_bytes(), litert, x86, target)
