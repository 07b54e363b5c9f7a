"""Writes TFLite files with several subgraphs (tflite_builder writes one): control flow (WHILE, IF, CALL_ONCE)
and SignatureDefs, from plain descriptions, for the verifier's tests, the fuzz seeds and the replay cases.

Buffers are shared by the whole model; each subgraph lists its own tensors and operators, whose tensor indices
are the subgraph's own. Options of WHILE / IF / CALL_ONCE are given as subgraph indices in OpSpec.options
("cond"/"body", "then"/"else", "init"), VAR_HANDLE's as "shared_name" (and "container"); other ops take
tflite_builder's options.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import flatbuffers
import numpy as np
import tflite
from tflite_builder import (
    TENSOR_TYPES,
    OpSpec,
    TensorSpec,
    _byte_vector,
    _int_vector,
    _offset_vector,
    _options,
    _tensor_bytes,
)


@dataclass
class SubgraphSpec:
    tensors: Sequence[TensorSpec]
    ops: Sequence[OpSpec]
    inputs: Sequence[int]
    outputs: Sequence[int]
    name: str = ""


@dataclass
class SignatureSpec:
    key: str
    subgraph: int
    inputs: dict[str, int] = field(default_factory=dict)  # name -> tensor index in the subgraph
    outputs: dict[str, int] = field(default_factory=dict)


def _call_options(b: flatbuffers.Builder, op: OpSpec) -> tuple[int, int]:
    o = op.options
    if op.op == "WHILE":
        tflite.WhileOptionsStart(b)
        tflite.WhileOptionsAddCondSubgraphIndex(b, int(o["cond"]))
        tflite.WhileOptionsAddBodySubgraphIndex(b, int(o["body"]))
        return tflite.BuiltinOptions.WhileOptions, tflite.WhileOptionsEnd(b)
    if op.op == "IF":
        tflite.IfOptionsStart(b)
        tflite.IfOptionsAddThenSubgraphIndex(b, int(o["then"]))
        tflite.IfOptionsAddElseSubgraphIndex(b, int(o["else"]))
        return tflite.BuiltinOptions.IfOptions, tflite.IfOptionsEnd(b)
    if op.op == "CALL_ONCE":
        tflite.CallOnceOptionsStart(b)
        tflite.CallOnceOptionsAddInitSubgraphIndex(b, int(o["init"]))
        return tflite.BuiltinOptions.CallOnceOptions, tflite.CallOnceOptionsEnd(b)
    if op.op == "VAR_HANDLE":
        container, shared_name = b.CreateString(o.get("container", "")), b.CreateString(o["shared_name"])
        tflite.VarHandleOptionsStart(b)
        tflite.VarHandleOptionsAddContainer(b, container)
        tflite.VarHandleOptionsAddSharedName(b, shared_name)
        return tflite.BuiltinOptions.VarHandleOptions, tflite.VarHandleOptionsEnd(b)
    if op.op == "LESS":
        tflite.LessOptionsStart(b)
        return tflite.BuiltinOptions.LessOptions, tflite.LessOptionsEnd(b)
    return _options(b, op)


def build_subgraphs(subgraphs: Sequence[SubgraphSpec], signatures: Sequence[SignatureSpec] = ()) -> bytes:
    b = flatbuffers.Builder(1024)
    datas: list[bytes] = [b""]
    buffer_of: list[list[int]] = []
    for sg in subgraphs:
        buffer_of.append([])
        for t in sg.tensors:
            data = _tensor_bytes(t)
            buffer_of[-1].append(len(datas) if data else 0)
            if data:
                datas.append(data)
    buffer_offsets = []
    for data in datas:
        vec = _byte_vector(b, data) if data else 0
        tflite.BufferStart(b)
        if vec:
            tflite.BufferAddData(b, vec)
        buffer_offsets.append(tflite.BufferEnd(b))

    codes: list[tuple[str, int]] = []
    for sg in subgraphs:
        for op in sg.ops:
            if (op.op, op.version) not in codes:
                codes.append((op.op, op.version))
    subgraph_offsets = []
    for s, sg in enumerate(subgraphs):
        tensor_offsets = []
        for i, t in enumerate(sg.tensors):
            name = b.CreateString(t.name)
            shape = _int_vector(b, tflite.TensorStartShapeVector, t.shape)
            signature = (_int_vector(b, tflite.TensorStartShapeSignatureVector, t.shape_signature)
                         if t.shape_signature is not None else 0)
            quant = 0
            if t.scales is not None:
                tflite.QuantizationParametersStartScaleVector(b, len(t.scales))
                for v in reversed(t.scales):
                    b.PrependFloat32(float(v))
                scales = b.EndVector()
                zps = t.zero_points if t.zero_points is not None else [0] * len(t.scales)
                tflite.QuantizationParametersStartZeroPointVector(b, len(zps))
                for z in reversed(zps):
                    b.PrependInt64(int(z))
                zero_points = b.EndVector()
                tflite.QuantizationParametersStart(b)
                tflite.QuantizationParametersAddScale(b, scales)
                tflite.QuantizationParametersAddZeroPoint(b, zero_points)
                quant = tflite.QuantizationParametersEnd(b)
            tflite.TensorStart(b)
            tflite.TensorAddShape(b, shape)
            if signature:
                tflite.TensorAddShapeSignature(b, signature)
            tflite.TensorAddType(b, TENSOR_TYPES[t.dtype])
            tflite.TensorAddBuffer(b, t.buffer if t.buffer is not None else buffer_of[s][i])
            tflite.TensorAddName(b, name)
            if quant:
                tflite.TensorAddQuantization(b, quant)
            tensor_offsets.append(tflite.TensorEnd(b))
        op_offsets = []
        for op in sg.ops:
            ins = _int_vector(b, tflite.OperatorStartInputsVector, op.inputs)
            outs = _int_vector(b, tflite.OperatorStartOutputsVector, op.outputs)
            options_type, options = _call_options(b, op)
            tflite.OperatorStart(b)
            tflite.OperatorAddOpcodeIndex(b, codes.index((op.op, op.version)))
            tflite.OperatorAddInputs(b, ins)
            tflite.OperatorAddOutputs(b, outs)
            if options:
                tflite.OperatorAddBuiltinOptionsType(b, options_type)
                tflite.OperatorAddBuiltinOptions(b, options)
            op_offsets.append(tflite.OperatorEnd(b))
        tensors_vec = _offset_vector(b, tflite.SubGraphStartTensorsVector, tensor_offsets)
        inputs_vec = _int_vector(b, tflite.SubGraphStartInputsVector, sg.inputs)
        outputs_vec = _int_vector(b, tflite.SubGraphStartOutputsVector, sg.outputs)
        ops_vec = _offset_vector(b, tflite.SubGraphStartOperatorsVector, op_offsets)
        name = b.CreateString(sg.name or f"subgraph{s}")
        tflite.SubGraphStart(b)
        tflite.SubGraphAddTensors(b, tensors_vec)
        tflite.SubGraphAddInputs(b, inputs_vec)
        tflite.SubGraphAddOutputs(b, outputs_vec)
        tflite.SubGraphAddOperators(b, ops_vec)
        tflite.SubGraphAddName(b, name)
        subgraph_offsets.append(tflite.SubGraphEnd(b))

    signature_offsets = []
    for sig in signatures:
        maps = []
        for entries in (sig.inputs, sig.outputs):
            offsets = []
            for n, index in entries.items():
                name = b.CreateString(n)
                tflite.TensorMapStart(b)
                tflite.TensorMapAddName(b, name)
                tflite.TensorMapAddTensorIndex(b, index)
                offsets.append(tflite.TensorMapEnd(b))
            maps.append(offsets)
        ins = _offset_vector(b, tflite.SignatureDefStartInputsVector, maps[0])
        outs = _offset_vector(b, tflite.SignatureDefStartOutputsVector, maps[1])
        key = b.CreateString(sig.key)
        tflite.SignatureDefStart(b)
        tflite.SignatureDefAddInputs(b, ins)
        tflite.SignatureDefAddOutputs(b, outs)
        tflite.SignatureDefAddSignatureKey(b, key)
        tflite.SignatureDefAddSubgraphIndex(b, sig.subgraph)
        signature_offsets.append(tflite.SignatureDefEnd(b))

    code_offsets = []
    for name, version in codes:
        code = getattr(tflite.BuiltinOperator, name)
        tflite.OperatorCodeStart(b)
        tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
        tflite.OperatorCodeAddBuiltinCode(b, code)
        tflite.OperatorCodeAddVersion(b, version)
        code_offsets.append(tflite.OperatorCodeEnd(b))
    codes_vec = _offset_vector(b, tflite.ModelStartOperatorCodesVector, code_offsets)
    subgraphs_vec = _offset_vector(b, tflite.ModelStartSubgraphsVector, subgraph_offsets)
    buffers_vec = _offset_vector(b, tflite.ModelStartBuffersVector, buffer_offsets)
    signatures_vec = _offset_vector(b, tflite.ModelStartSignatureDefsVector, signature_offsets) if signatures else 0
    desc = b.CreateString("ember subgraph test model")
    tflite.ModelStart(b)
    tflite.ModelAddVersion(b, 3)
    tflite.ModelAddOperatorCodes(b, codes_vec)
    tflite.ModelAddSubgraphs(b, subgraphs_vec)
    tflite.ModelAddDescription(b, desc)
    tflite.ModelAddBuffers(b, buffers_vec)
    if signatures_vec:
        tflite.ModelAddSignatureDefs(b, signatures_vec)
    b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
    return bytes(b.Output())


# -- ready-made models ------------------------------------------------------------------------------------------

def _state(dtype: str, shape: Sequence[int], name: str) -> TensorSpec:
    if dtype == "int8":
        return TensorSpec(name, shape, "int8", scales=[0.05], zero_points=[3])
    return TensorSpec(name, shape, dtype)


def counted_loop(dtype: str = "float32", shape: Sequence[int] = (2, 3), limit: int | None = None) -> bytes:
    """Subgraph 0 takes (n, x) and returns x after `while i < n: i, x = i + 1, x + x` from i = 0 (x * 2**n in
    float32); with `limit` the cond compares with that constant instead of n. Subgraph 1 is the cond (LESS), 2 the
    body (ADD on i, ADD on x, n passed through unchanged)."""
    x_in, x_out = _state(dtype, shape, "x"), _state(dtype, shape, "x_out")
    i32 = "int32"
    main = SubgraphSpec(
        [TensorSpec("i0", [], i32, data=np.array(0, np.int32)), TensorSpec("n", [], i32), x_in,
         TensorSpec("i_out", [], i32), TensorSpec("n_out", [], i32), x_out],
        [OpSpec("WHILE", [0, 1, 2], [3, 4, 5], {"cond": 1, "body": 2})], [1, 2], [5], "main")
    bound = [TensorSpec("limit", [], i32, data=np.array(limit, np.int32))] if limit is not None else []
    cond = SubgraphSpec(
        [TensorSpec("i", [], i32), TensorSpec("n", [], i32), _state(dtype, shape, "x"),
         TensorSpec("go", [], "bool"), *bound],
        [OpSpec("LESS", [0, 4 if limit is not None else 1], [3])], [0, 1, 2], [3], "cond")
    body = SubgraphSpec(
        [TensorSpec("i", [], i32), TensorSpec("n", [], i32), _state(dtype, shape, "x"),
         TensorSpec("one", [], i32, data=np.array(1, np.int32)), TensorSpec("i_next", [], i32),
         _state(dtype, shape, "x_next")],
        [OpSpec("ADD", [0, 3], [4]), OpSpec("ADD", [2, 2], [5])], [0, 1, 2], [4, 1, 5], "body")
    return build_subgraphs([main, cond, body])


def two_branches(dtype: str = "float32", shape: Sequence[int] = (4,)) -> bytes:
    """IF (p): then y = x + x, else y = x * x; inputs (p, x)."""
    main = SubgraphSpec([TensorSpec("p", [], "bool"), _state(dtype, shape, "x"), _state(dtype, shape, "y")],
                        [OpSpec("IF", [0, 1], [2], {"then": 1, "else": 2})], [0, 1], [2], "main")
    then = SubgraphSpec([_state(dtype, shape, "x"), _state(dtype, shape, "y")], [OpSpec("ADD", [0, 0], [1])],
                        [0], [1], "then")
    other = SubgraphSpec([_state(dtype, shape, "x"), _state(dtype, shape, "y")], [OpSpec("MUL", [0, 0], [1])],
                         [0], [1], "else")
    return build_subgraphs([main, then, other])


def call_once_then_add(dtype: str = "float32") -> bytes:
    """CALL_ONCE of an empty initialiser, then y = x + x."""
    main = SubgraphSpec([_state(dtype, [3], "x"), _state(dtype, [3], "y")],
                        [OpSpec("CALL_ONCE", [], [], {"init": 1}), OpSpec("ADD", [0, 0], [1])], [0], [1], "main")
    init = SubgraphSpec([], [], [], [], "init")
    return build_subgraphs([main, init])


def accumulator(dtype: str = "float32", shape: Sequence[int] = (2, 3), start: float = 0.5) -> bytes:
    """A streaming sum: subgraph 0 runs CALL_ONCE (subgraph 1 assigns `start` to variable 'acc'), then
    acc = acc + x (VAR_HANDLE, READ_VARIABLE, ADD, ASSIGN_VARIABLE) and returns the new acc; inputs (x,)."""
    if dtype == "int8":
        first = np.full(shape, int(round(start / 0.05)) + 3, np.int8)
    else:
        first = np.full(shape, start, np.dtype(dtype))
    main = SubgraphSpec(
        [_state(dtype, shape, "x"), TensorSpec("acc", [], "resource"), _state(dtype, shape, "read"),
         _state(dtype, shape, "sum")],
        [OpSpec("CALL_ONCE", [], [], {"init": 1}), OpSpec("VAR_HANDLE", [], [1], {"shared_name": "acc"}),
         OpSpec("READ_VARIABLE", [1], [2]), OpSpec("ADD", [2, 0], [3]), OpSpec("ASSIGN_VARIABLE", [1, 3], [])],
        [0], [3], "main")
    value = _state(dtype, shape, "start")
    value.data = first
    init = SubgraphSpec([TensorSpec("acc", [], "resource"), value],
                        [OpSpec("VAR_HANDLE", [], [0], {"shared_name": "acc"}), OpSpec("ASSIGN_VARIABLE", [0, 1], [])],
                        [], [], "init")
    return build_subgraphs([main, init])
