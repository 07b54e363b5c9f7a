"""`ember inspect MODEL.tflite [--json]`: what a `.tflite` file holds and what it costs to run.

Inputs and outputs (shape, dtype, quantisation), one row per operator (op, output shape, parameter count, MACs,
main options), and totals: parameters, multiply-accumulates, file bytes and the arena bytes Ember's C runtime
plans for it (`ember.runtime`; absent, with the reason, when the runtime cannot run the model). The operator rows
are subgraph 0's (what `invoke` runs); a model with several subgraphs (WHILE / IF / CALL_ONCE bodies, one per
signature) lists each with its ops, and the SignatureDefs with their input and output names.

The runtime's verifier reads the file first, so a damaged file is refused with its message (`ember inspect: FILE:
MESSAGE` on stderr, exit status 2) instead of the parser below reading garbage."""

from __future__ import annotations

import json
import math
import os
import struct
import sys
from typing import Any

import numpy as np
import tflite

OP_NAMES = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
TYPE_NAMES = {v: k.lower() for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}
ACTIVATION_NAMES = {v: k for k, v in vars(tflite.ActivationFunctionType).items() if not k.startswith("_")}
PADDING_NAMES = {v: k for k, v in vars(tflite.Padding).items() if not k.startswith("_")}
# Inputs that are operands (shapes, axes, paddings, indices), not learned parameters, even when constant.
OPERAND_INPUTS = {"RESHAPE": {1}, "MEAN": {1}, "SUM": {1}, "REDUCE_MAX": {1}, "REDUCE_MIN": {1}, "PAD": {1},
                  "PADV2": {1, 2}, "TRANSPOSE": {1}, "RESIZE_NEAREST_NEIGHBOR": {1}, "RESIZE_BILINEAR": {1},
                  "GATHER": {1}, "TRANSPOSE_CONV": {0}, "MIRROR_PAD": {1}, "FILL": {0},
                  "SPLIT": {0}, "SPLIT_V": {1, 2}, "SLICE": {1, 2}, "EXPAND_DIMS": {1}, "TILE": {1},
                  "BROADCAST_TO": {1}, "GATHER_ND": {1}, "ARG_MAX": {1}, "ARG_MIN": {1}, "REDUCE_PROD": {1},
                  "REVERSE_V2": {1}, "RANGE": {0, 1, 2}}
OPTION_TABLES = {"CONV_2D": tflite.Conv2DOptions, "DEPTHWISE_CONV_2D": tflite.DepthwiseConv2DOptions,
                 "MAX_POOL_2D": tflite.Pool2DOptions, "AVERAGE_POOL_2D": tflite.Pool2DOptions,
                 "FULLY_CONNECTED": tflite.FullyConnectedOptions, "ADD": tflite.AddOptions,
                 "SUB": tflite.SubOptions, "MUL": tflite.MulOptions, "CONCATENATION": tflite.ConcatenationOptions,
                 "TRANSPOSE_CONV": tflite.TransposeConvOptions, "SPLIT": tflite.SplitOptions,
                 "SPLIT_V": tflite.SplitVOptions, "UNPACK": tflite.UnpackOptions}


def _tensor(model: Any, sg: Any, i: int) -> dict[str, Any]:
    t = sg.Tensors(i)
    q = t.Quantization()
    quant = None
    if q is not None and q.ScaleLength():
        quant = {"scale": q.ScaleAsNumpy().tolist(), "zero_point": q.ZeroPointAsNumpy().tolist(),
                 "axis": q.QuantizedDimension()}
    shape = t.ShapeAsNumpy().tolist() if t.ShapeLength() else []
    return {"index": i, "name": (t.Name() or b"").decode(), "shape": shape, "dtype": TYPE_NAMES.get(t.Type(), "?"),
            "quantization": quant, "constant": model.Buffers(t.Buffer()).DataLength() > 0}


def _custom_options(op: Any) -> dict[str, Any]:
    """A custom op's attributes: its flexbuffer map (what TensorFlow's converter writes), else the byte count."""
    if not op.CustomOptionsLength():
        return {}
    raw = op.CustomOptionsAsNumpy().tobytes()
    try:
        from flatbuffers import flexbuffers

        value = flexbuffers.Loads(raw)
    except Exception:  # noqa: BLE001 - any malformed bytes: report their size only
        value = None
    return value if isinstance(value, dict) else {"custom_options_bytes": len(raw)}


def _options(op_name: str, op: Any) -> dict[str, Any]:
    table = OPTION_TABLES.get(op_name)
    raw = op.BuiltinOptions()
    if table is None or raw is None:
        return {}
    o = table()
    o.Init(raw.Bytes, raw.Pos)
    out: dict[str, Any] = {}
    if hasattr(o, "FusedActivationFunction") and o.FusedActivationFunction():
        out["activation"] = ACTIVATION_NAMES[o.FusedActivationFunction()]
    if hasattr(o, "StrideH"):
        out["stride"] = [o.StrideH(), o.StrideW()]
        out["padding"] = PADDING_NAMES[o.Padding()]
    if hasattr(o, "FilterHeight"):
        out["filter"] = [o.FilterHeight(), o.FilterWidth()]
    if hasattr(o, "DepthMultiplier"):
        out["depth_multiplier"] = o.DepthMultiplier()
    if hasattr(o, "Axis"):
        out["axis"] = o.Axis()
    if hasattr(o, "NumSplits"):
        out["num_splits"] = o.NumSplits()
    if hasattr(o, "Num"):
        out["num"] = o.Num()
    return out


# Subgraph-calling ops: their options' subgraph index fields.
CALL_OPTIONS = {"WHILE": (tflite.WhileOptions, {"cond": "CondSubgraphIndex", "body": "BodySubgraphIndex"}),
                "IF": (tflite.IfOptions, {"then": "ThenSubgraphIndex", "else": "ElseSubgraphIndex"}),
                "CALL_ONCE": (tflite.CallOnceOptions, {"init": "InitSubgraphIndex"})}


def _call_options(op_name: str, op: Any) -> dict[str, Any]:
    if op_name not in CALL_OPTIONS or op.BuiltinOptions() is None:
        return {}
    table, fields = CALL_OPTIONS[op_name]
    o = table()
    o.Init(op.BuiltinOptions().Bytes, op.BuiltinOptions().Pos)
    return {key: getattr(o, field)() for key, field in fields.items()}


def _op_name(model: Any, op: Any) -> str:
    """The builtin operator's name, or a custom op's custom_code (e.g. TFLite_Detection_PostProcess)."""
    code = model.OperatorCodes(op.OpcodeIndex())
    name = OP_NAMES.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "CUSTOM")
    if name == "CUSTOM" and code.CustomCode():
        name = code.CustomCode().decode("utf-8", "replace")
    return name


def _subgraphs(model: Any) -> list[dict[str, Any]]:
    """Each subgraph: name, operator names, input and output tensor names."""
    out = []
    for s in range(model.SubgraphsLength()):
        sg = model.Subgraphs(s)
        names = [(sg.Tensors(i).Name() or b"").decode() for i in range(sg.TensorsLength())]
        out.append({"index": s, "name": (sg.Name() or b"").decode(), "tensors": sg.TensorsLength(),
                    "ops": [_op_name(model, sg.Operators(k)) for k in range(sg.OperatorsLength())],
                    "inputs": [names[i] for i in sg.InputsAsNumpy().tolist()] if sg.InputsLength() else [],
                    "outputs": [names[i] for i in sg.OutputsAsNumpy().tolist()] if sg.OutputsLength() else []})
    return out


def _signatures(model: Any) -> list[dict[str, Any]]:
    """Each SignatureDef: key, subgraph, {input name: tensor index}, {output name: tensor index}."""
    out = []
    for k in range(model.SignatureDefsLength()):
        sig = model.SignatureDefs(k)
        out.append({"key": (sig.SignatureKey() or b"").decode(), "subgraph": sig.SubgraphIndex(),
                    "inputs": {sig.Inputs(i).Name().decode(): sig.Inputs(i).TensorIndex()
                               for i in range(sig.InputsLength())},
                    "outputs": {sig.Outputs(i).Name().decode(): sig.Outputs(i).TensorIndex()
                                for i in range(sig.OutputsLength())}})
    return out


def _macs(op_name: str, ins: list[dict | None], outs: list[dict]) -> int:
    out = math.prod(outs[0]["shape"]) if outs else 0
    w = ins[1]["shape"] if len(ins) > 1 and ins[1] is not None else []
    if op_name == "CONV_2D":
        return out * math.prod(w[1:])  # filter OHWI: each output element reads KH*KW*I inputs
    if op_name == "DEPTHWISE_CONV_2D":
        return out * w[1] * w[2]
    if op_name == "FULLY_CONNECTED":
        return out * w[1]
    if op_name == "TRANSPOSE_CONV":  # inputs (output_shape, weights OHWI, input): each input element meets
        return math.prod(ins[2]["shape"]) * math.prod(w[:3])  # KH*KW weights of every output channel
    if op_name == "BATCH_MATMUL":
        return out * ins[0]["shape"][-1]  # adj_x aside, the contracted dim is the lhs's last
    return 0


class InspectError(ValueError):
    """The file is not a TFLite model that can be read; the message says what is wrong with it."""


# What the flatbuffer parser raises on bytes that are not the model they claim to be.
_PARSE_ERRORS = (struct.error, IndexError, KeyError, UnicodeDecodeError, ValueError, TypeError, AttributeError,
                 OverflowError)


def _verify(raw: bytes) -> tuple[int | None, str | None]:
    """Load `raw` in Ember's runtime, whose verifier checks the whole flatbuffer: a malformed file is refused with the
    runtime's message; a well-formed one that the runtime cannot run (an op it lacks) is still inspected, with the
    reason in place of the arena bytes."""
    from ember.runtime import Interpreter, RuntimeModelError

    try:
        it = Interpreter(model_content=raw)
    except RuntimeModelError as e:
        if e.status != "unsupported":
            raise InspectError(str(e)) from None
        return None, f"RuntimeModelError: {e}"
    try:
        it.allocate_tensors()
    except RuntimeModelError as e:
        return None, f"RuntimeModelError: {e}"
    return int(it.arena_bytes()), None


def inspect_model(path: str | os.PathLike) -> dict[str, Any]:
    """The report of the file at `path`; InspectError when it is not a readable TFLite model."""
    with open(path, "rb") as f:
        raw = f.read()
    arena, why = _verify(raw)
    try:
        return _report(path, raw, arena, why)
    except _PARSE_ERRORS as e:  # a file the runtime did not verify to the end (it stopped at an unsupported op)
        raise InspectError(f"not a readable TFLite model ({type(e).__name__}: {e})") from None


def _report(path: str | os.PathLike, raw: bytes, arena: int | None, why: str | None) -> dict[str, Any]:
    model = tflite.Model.GetRootAs(raw, 0)
    sg = model.Subgraphs(0)
    tensors = [_tensor(model, sg, i) for i in range(sg.TensorsLength())]
    ops, weights = [], set()
    for k in range(sg.OperatorsLength()):
        op = sg.Operators(k)
        code = model.OperatorCodes(op.OpcodeIndex())
        name = _op_name(model, op)
        custom = OP_NAMES.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "CUSTOM") == "CUSTOM"
        ins = [tensors[i] if i >= 0 else None for i in op.InputsAsNumpy().tolist()] if op.InputsLength() else []
        outs = [tensors[i] for i in op.OutputsAsNumpy().tolist()]
        params = [t for j, t in enumerate(ins) if t is not None and t["constant"]
                  and j not in OPERAND_INPUTS.get(name, set())]
        weights.update(t["index"] for t in params)
        ops.append({"index": k, "op": name, "version": code.Version(), "output_shape": outs[0]["shape"] if outs else [],
                    "parameters": sum(math.prod(t["shape"]) for t in params), "macs": _macs(name, ins, outs),
                    "options": _custom_options(op) if custom else {**_options(name, op), **_call_options(name, op)}})
    meta = {}
    for i in range(model.MetadataLength()):
        if model.Metadata(i).Name() == b"ember":
            meta = json.loads(model.Buffers(model.Metadata(i).Buffer()).DataAsNumpy().tobytes())
    io = [{k: v for k, v in t.items() if k != "constant"} for t in tensors]
    return {
        "path": os.fspath(path),
        "inputs": [io[i] for i in sg.InputsAsNumpy().tolist()],
        "outputs": [io[i] for i in sg.OutputsAsNumpy().tolist()],
        "operators": ops,
        "totals": {"operators": len(ops), "parameters": sum(math.prod(tensors[i]["shape"]) for i in weights),
                   "macs": sum(o["macs"] for o in ops), "file_bytes": len(raw), "arena_bytes": arena},
        "arena_error": why,
        "metadata": meta,
        "subgraphs": _subgraphs(model),
        "signatures": _signatures(model),
    }


def _fmt_tensor(t: dict[str, Any]) -> str:
    q = t["quantization"]
    quant = f"  scale={np.round(q['scale'][:4], 6).tolist()} zero_point={q['zero_point'][:4]}" if q else ""
    return f"  {t['name']}: {t['dtype']}{t['shape']}{quant}"


def format_report(r: dict[str, Any]) -> str:
    layout = r["metadata"].get("layout")
    lines = [f"{r['path']}" + (f"  (model '{r['metadata'].get('model_name')}', layout {layout})" if layout else "")]
    lines += ["inputs:"] + [_fmt_tensor(t) for t in r["inputs"]]
    lines += ["outputs:"] + [_fmt_tensor(t) for t in r["outputs"]]
    lines.append(f"{'#':>4}  {'op':<24}{'output shape':<22}{'params':>10}{'MACs':>14}  options")
    for o in r["operators"]:
        opts = " ".join(f"{k}={v}" for k, v in o["options"].items())
        lines.append(f"{o['index']:>4}  {o['op'] + ' v' + str(o['version']):<24}{str(o['output_shape']):<22}"
                     f"{o['parameters']:>10,}{o['macs']:>14,}  {opts}")
    if len(r["subgraphs"]) > 1:
        lines.append("subgraphs:")
        for g in r["subgraphs"]:
            lines.append(f"  {g['index']} '{g['name']}': {len(g['ops'])} ops ({' '.join(g['ops'])}), "
                         f"inputs {g['inputs']}, outputs {g['outputs']}")
    if r["signatures"]:
        lines.append("signatures:")
        for sig in r["signatures"]:
            lines.append(f"  '{sig['key']}' (subgraph {sig['subgraph']}): inputs {sorted(sig['inputs'])}, "
                         f"outputs {sorted(sig['outputs'])}")
    t = r["totals"]
    arena = f"{t['arena_bytes']:,} arena bytes" if t["arena_bytes"] is not None else \
        f"arena bytes n/a ({r['arena_error']})"
    lines.append(f"total: {t['operators']} ops, {t['parameters']:,} parameters, {t['macs']:,} MACs, "
                 f"{t['file_bytes']:,} file bytes, {arena}")
    return "\n".join(lines)


def run(path: str, as_json: bool = False) -> int:
    """Print the report; a missing or damaged file is one line on stderr and exit status 2."""
    try:
        report = inspect_model(path)
    except (InspectError, OSError) as e:
        message = " ".join((e.strerror if isinstance(e, OSError) and e.strerror else str(e)).split())
        print(f"ember inspect: {path}: {message}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2) if as_json else format_report(report))
    return 0
