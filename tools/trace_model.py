"""`ember inspect --trace MODEL.tflite INPUT.npy [--json]`: each operator's output beside LiteRT's.

Both runtimes run the model on the same input with every intermediate kept (``experimental_preserve_all_tensors``;
LiteRT with its reference kernels, ``OpResolverType.BUILTIN_REF``, the oracle of Ember's tests). One row per
operator output: min / max / mean of Ember's and of LiteRT's values (dequantised for quantised tensors) and the
largest absolute difference, in the tensor's units and, for quantised tensors, in quantisation steps (LSB). The
first output that differs (quantised: any step; float: more than 1e-5 of the larger magnitude) is marked: the op
where the runtimes part.

INPUT is a ``.npy`` array for a one-input model or a ``.npz`` with one array per input (by input name, else in
order as ``arr_0``, ``arr_1``...). A float array for a quantised input is quantised with the input's parameters; an
array of another shape resizes the input first (``resize_tensor_input``), as for a dynamic batch."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import numpy as np

# Float outputs agree when within this fraction of the larger magnitude of the two tensors (Ember's tests: 1e-5).
FLOAT_RTOL = 1e-5


class TraceError(Exception):
    pass


def _operators(raw: bytes) -> list[dict[str, Any]]:
    """Each operator of subgraph 0: its index, builtin name and output tensor indices."""
    import tflite

    names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
    model = tflite.Model.GetRootAs(raw, 0)
    sg = model.Subgraphs(0)
    ops = []
    for k in range(sg.OperatorsLength()):
        op = sg.Operators(k)
        code = model.OperatorCodes(op.OpcodeIndex())
        name = names.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "CUSTOM")
        ops.append({"index": k, "op": name, "outputs": op.OutputsAsNumpy().tolist() if op.OutputsLength() else []})
    return ops


def _inputs(path: str | os.PathLike, details: list[dict[str, Any]]) -> list[np.ndarray]:
    loaded = np.load(path)
    if isinstance(loaded, np.ndarray):
        if len(details) != 1:
            raise TraceError(f"the model has {len(details)} inputs: give a .npz with one array per input "
                             f"({', '.join(d['name'] for d in details)})")
        return [loaded]
    with loaded:
        keys = list(loaded.keys())
        arrays = []
        for k, d in enumerate(details):
            key = d["name"] if d["name"] in keys else f"arr_{k}"
            if key not in keys:
                raise TraceError(f"{path} has no array '{d['name']}' or 'arr_{k}' for input {k}; it has {keys}")
            arrays.append(loaded[key])
        return arrays


def _as_input(x: np.ndarray, d: dict[str, Any]) -> np.ndarray:
    dtype = np.dtype(d["dtype"])
    if x.dtype == dtype:
        return np.ascontiguousarray(x)
    scale, zero_point = d["quantization"]
    if np.issubdtype(x.dtype, np.floating) and dtype in (np.int8, np.uint8, np.int16) and scale:
        info = np.iinfo(dtype)
        return np.clip(np.round(x / scale) + zero_point, info.min, info.max).astype(dtype)
    if np.issubdtype(x.dtype, np.integer) and np.issubdtype(dtype, np.integer):
        return x.astype(dtype)
    raise TraceError(f"input '{d['name']}' is {dtype.name}, the array is {x.dtype.name}")


def _real(value: np.ndarray, d: dict[str, Any]) -> np.ndarray:
    """The tensor's real values: dequantised (per tensor or per channel) when it is quantised."""
    q = d["quantization_parameters"]
    if len(q["scales"]) == 0 or not np.issubdtype(value.dtype, np.integer):
        return value.astype(np.float64)
    scales, zero_points = np.asarray(q["scales"], np.float64), np.asarray(q["zero_points"], np.float64)
    if len(scales) > 1:
        shape = [1] * value.ndim
        shape[q["quantized_dimension"]] = -1
        scales, zero_points = scales.reshape(shape), zero_points.reshape(shape)
    return (value.astype(np.float64) - zero_points) * scales


def _stats(x: np.ndarray) -> dict[str, float] | None:
    if x.size == 0:
        return None
    return {"min": float(x.min()), "max": float(x.max()), "mean": float(x.mean())}


def compare_rows(ops: list[dict[str, Any]], details: dict[int, dict[str, Any]], ours: dict[int, np.ndarray],
                 theirs: dict[int, np.ndarray] | None) -> dict[str, Any]:
    """The trace table from both runtimes' tensor values (by tensor index); theirs None: Ember's side only."""
    rows, first = [], None
    for op in ops:
        for t in op["outputs"]:
            if t not in ours:
                continue  # not traced (a resource handle)
            d = details[t]
            a = ours[t]
            quantised = len(d["quantization_parameters"]["scales"]) > 0 and np.issubdtype(a.dtype, np.integer)
            row: dict[str, Any] = {"op_index": op["index"], "op": op["op"], "tensor": t, "name": d["name"],
                                   "shape": [int(s) for s in a.shape], "dtype": a.dtype.name,
                                   "ember": _stats(_real(a, d))}
            if theirs is not None:
                b = theirs[t]
                row["litert"] = _stats(_real(b, d))
                if a.shape != b.shape:
                    row["max_abs_diff"], row["max_lsb_diff"], differs = None, None, True
                elif a.size == 0:
                    row["max_abs_diff"], row["max_lsb_diff"], differs = 0.0, 0 if quantised else None, False
                else:
                    real_diff = np.abs(_real(a, d) - _real(b, d))
                    row["max_abs_diff"] = float(real_diff.max())
                    if quantised or not np.issubdtype(a.dtype, np.floating):
                        steps = int(np.abs(a.astype(np.int64) - b.astype(np.int64)).max())
                        row["max_lsb_diff"] = steps if quantised else None
                        differs = steps > 0
                    else:
                        row["max_lsb_diff"] = None
                        scale = max(float(np.abs(a).max()), float(np.abs(b).max()))
                        differs = not bool(np.isfinite(real_diff).all()) or row["max_abs_diff"] > FLOAT_RTOL * scale
                row["differs"] = differs
                if differs and first is None:
                    first = len(rows)
            rows.append(row)
    return {"rows": rows, "first_divergence": first, "compared_with_litert": theirs is not None}


def trace(model_path: str | os.PathLike, input_path: str | os.PathLike) -> dict[str, Any]:
    from ember.runtime import Interpreter

    with open(model_path, "rb") as f:
        raw = f.read()
    ours = Interpreter(model_content=raw, experimental_preserve_all_tensors=True)
    try:
        from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
        from ai_edge_litert.interpreter import OpResolverType

        ref = LiteRTInterpreter(model_content=raw, experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                                experimental_preserve_all_tensors=True)
        why = None
    except ImportError as e:
        ref, why = None, f"LiteRT is not installed ({e}): pip install ai-edge-litert"
    runtimes = [ours] if ref is None else [ours, ref]
    arrays = _inputs(input_path, ours.get_input_details())
    for d, x in zip(ours.get_input_details(), arrays, strict=True):
        if list(x.shape) != [int(s) for s in d["shape"]]:
            for it in runtimes:
                it.resize_tensor_input(d["index"], list(x.shape))
    for it in runtimes:
        it.allocate_tensors()
    for d, x in zip(ours.get_input_details(), arrays, strict=True):
        value = _as_input(x, d)
        for it in runtimes:
            it.set_tensor(d["index"], value)
    for it in runtimes:
        it.invoke()
    ops = _operators(raw)
    wanted = {t for op in ops for t in op["outputs"]}
    details = {d["index"]: d for d in ours.get_tensor_details() if d["index"] in wanted}
    # A VAR_HANDLE's resource output holds a variable's id, not a value: nothing to trace.
    wanted = {t for t in wanted if details[t]["dtype"] is not np.object_}
    report = compare_rows(ops, details, {t: ours.get_tensor(t) for t in wanted},
                          None if ref is None else {t: ref.get_tensor(t) for t in wanted})
    report.update({"model": os.fspath(model_path), "input": os.fspath(input_path), "litert_missing": why})
    return report


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.4g}"


def format_trace(r: dict[str, Any]) -> str:
    side = "ember / litert (BUILTIN_REF)" if r["compared_with_litert"] else "ember only: " + str(r["litert_missing"])
    lines = [f"{r['model']} on {r['input']}: each op's output, {side}",
             f"{'#':>4}  {'op':<20}{'output':<28}{'shape':<18}{'ember min/max/mean':<32}"
             f"{'litert min/max/mean':<32}{'max|diff|':>11}{'LSB':>5}"]
    for k, row in enumerate(r["rows"]):
        def triple(s: dict[str, float] | None) -> str:
            return "(empty)" if s is None else f"{_num(s['min'])} / {_num(s['max'])} / {_num(s['mean'])}"

        name = row["name"] if len(row["name"]) <= 26 else "…" + row["name"][-25:]
        line = (f"{row['op_index']:>4}  {row['op']:<20}{name:<28}{str(row['shape']):<18}{triple(row['ember']):<32}")
        if r["compared_with_litert"]:
            lsb = "" if row["max_lsb_diff"] is None else str(row["max_lsb_diff"])
            line += f"{triple(row['litert']):<32}{_num(row['max_abs_diff']):>11}{lsb:>5}"
            if k == r["first_divergence"]:
                line += "  <-- first divergence"
        lines.append(line)
    if r["compared_with_litert"]:
        k = r["first_divergence"]
        lines.append("no divergence: every output agrees with LiteRT" if k is None else
                     f"first divergence: op {r['rows'][k]['op_index']} ({r['rows'][k]['op']}), output "
                     f"'{r['rows'][k]['name']}'")
    return "\n".join(lines)


def run(model: str, input_path: str | None, as_json: bool = False) -> int:
    if not input_path:
        print("ember inspect --trace: give the input too: ember inspect --trace MODEL INPUT.npy", file=sys.stderr)
        return 2
    try:
        report = trace(model, input_path)
    except (TraceError, OSError, ValueError, RuntimeError) as e:
        print(f"ember inspect --trace: {model}: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2) if as_json else format_trace(report))
    return 0
