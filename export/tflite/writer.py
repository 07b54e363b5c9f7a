"""Serialise a lowered Graph as a TensorFlow Lite flatbuffer (schema version 3, identifier "TFL3").

Constant data is 16-byte aligned inside the file so a runtime can use it in place, without copying."""

from __future__ import annotations

import json
from typing import Any

import flatbuffers
import numpy as np
import tflite

from ..errors import ExportError
from ..ir import Graph, Value
from .options import write_options
from .schema import TENSOR_TYPES, builtin_code, op_version

SCHEMA_VERSION = 3
DATA_ALIGNMENT = 16


def _int_vector(b: flatbuffers.Builder, values: list[int]) -> int:
    b.StartVector(4, len(values), 4)
    for v in reversed(values):
        b.PrependInt32(int(v))
    return b.EndVector()


def _offset_vector(b: flatbuffers.Builder, offsets: list[int]) -> int:
    b.StartVector(4, len(offsets), 4)
    for o in reversed(offsets):
        b.PrependUOffsetTRelative(o)
    return b.EndVector()


def _bytes_vector(b: flatbuffers.Builder, data: bytes) -> int:
    b.StartVector(1, len(data), DATA_ALIGNMENT)
    b.head = b.head - len(data)
    b.Bytes[b.head:b.head + len(data)] = data
    b.vectorNumElems = len(data)
    return b.EndVector()


def _buffer(b: flatbuffers.Builder, data: bytes | None) -> int:
    vec = _bytes_vector(b, data) if data else None
    tflite.BufferStart(b)
    if vec is not None:
        tflite.BufferAddData(b, vec)
    return tflite.BufferEnd(b)


def _quantization(b: flatbuffers.Builder, value: Value) -> int:
    q = value.quant
    tflite.QuantizationParametersStartScaleVector(b, q.scale.size)
    for s in reversed(q.scale.astype(np.float32).tolist()):
        b.PrependFloat32(s)
    scales = b.EndVector()
    tflite.QuantizationParametersStartZeroPointVector(b, q.zero_point.size)
    for z in reversed(q.zero_point.astype(np.int64).tolist()):
        b.PrependInt64(z)
    zero_points = b.EndVector()
    tflite.QuantizationParametersStart(b)
    tflite.QuantizationParametersAddScale(b, scales)
    tflite.QuantizationParametersAddZeroPoint(b, zero_points)
    tflite.QuantizationParametersAddQuantizedDimension(b, q.axis if q.per_channel else 0)
    return tflite.QuantizationParametersEnd(b)


def _tensor(b: flatbuffers.Builder, value: Value, buffer_index: int, batch_dim: int | None = None) -> int:
    if value.dtype not in TENSOR_TYPES:
        raise ExportError(f"tensor '{value.name}' has dtype {value.dtype}, which TFLite export does not support")
    name = b.CreateString(value.name)
    shape = _int_vector(b, list(value.shape))
    signature = None
    if batch_dim is not None:
        signature = _int_vector(b, [-1 if d == batch_dim else s for d, s in enumerate(value.shape)])
    quantization = _quantization(b, value) if value.quant is not None else None
    tflite.TensorStart(b)
    if quantization is not None:
        tflite.TensorAddQuantization(b, quantization)
    tflite.TensorAddShape(b, shape)
    if signature is not None:
        tflite.TensorAddShapeSignature(b, signature)
    tflite.TensorAddType(b, TENSOR_TYPES[value.dtype])
    tflite.TensorAddBuffer(b, buffer_index)
    tflite.TensorAddName(b, name)
    return tflite.TensorEnd(b)


# Ops added after the batch analysis (quantisation's edges and requantisations) keep their operand's shape.
SAME_SHAPE = {"QUANTIZE", "DEQUANTIZE"}


def batch_values(graph: Graph) -> dict[int, int]:
    """id -> batch dim of the values that carry the batch of a dynamic_batch graph: those
    `dynamic_batch.mark_batch` marked, and both sides of a QUANTIZE/DEQUANTIZE that quantisation added."""
    marked = {id(v): v.batch_dim for v in graph.values() if v.batch_dim is not None and not v.is_constant}
    changed = bool(marked)
    while changed:
        changed = False
        for n in graph.nodes:
            if n.op in SAME_SHAPE and n.inputs and n.inputs[0] is not None and not n.inputs[0].is_constant:
                a, b = id(n.inputs[0]), id(n.outputs[0])
                if (a in marked) != (b in marked):
                    marked.setdefault(a, marked.get(b))
                    marked.setdefault(b, marked.get(a))
                    changed = True
    return marked


def write_tflite(graph: Graph, metadata: dict[str, Any] | None = None, description: str = "ember",
                 extra_metadata: dict[str, bytes] | None = None) -> bytes:
    """The `.tflite` bytes of a lowered, optimised graph; `metadata` goes in as the "ember" JSON entry, and each
    `extra_metadata` item as a metadata entry of that name (e.g. "OfflineMemoryAllocation")."""
    b = flatbuffers.Builder(1024)
    values = graph.values()
    index = {id(v): i for i, v in enumerate(values)}

    # Buffers: 0 is the conventional empty buffer; constants with the same bytes share one (an unrolled LSTM's
    # weights, quantised per use but alike, are written once), metadata last.
    buffer_data: list[bytes | None] = [None]
    buffer_of: dict[int, int] = {}
    by_bytes: dict[bytes, int] = {}
    for v in values:
        if v.is_constant:
            data = np.ascontiguousarray(v.data, dtype=v.dtype.newbyteorder("<")).tobytes()
            if data not in by_bytes:
                by_bytes[data] = len(buffer_data)
                buffer_data.append(data)
            buffer_of[id(v)] = by_bytes[data]
    metadata_entries = []
    if metadata is not None:
        metadata_entries.append(("ember", len(buffer_data)))
        buffer_data.append(json.dumps(metadata, sort_keys=True).encode())
    for name, data in (extra_metadata or {}).items():
        metadata_entries.append((name, len(buffer_data)))
        buffer_data.append(data)
    buffers = [_buffer(b, d) for d in buffer_data]

    batch = batch_values(graph)
    tensors = [_tensor(b, v, buffer_of.get(id(v), 0), batch.get(id(v))) for v in values]

    opcodes: list[tuple[str, int]] = []
    operators = []
    for node in graph.nodes:
        weights = node.inputs[1] if len(node.inputs) > 1 else None
        per_channel = weights is not None and weights.quant is not None and weights.quant.per_channel
        key = (node.op, op_version(node.op, node.attrs, [None if v is None else v.shape for v in node.inputs],
                                   [None if v is None else v.dtype for v in (*node.inputs, *node.outputs)],
                                   per_channel))
        if key not in opcodes:
            opcodes.append(key)
        ins = _int_vector(b, [-1 if v is None else index[id(v)] for v in node.inputs])
        outs = _int_vector(b, [index[id(v)] for v in node.outputs])
        options = write_options(b, node.op, node.attrs)
        tflite.OperatorStart(b)
        tflite.OperatorAddOpcodeIndex(b, opcodes.index(key))
        tflite.OperatorAddInputs(b, ins)
        tflite.OperatorAddOutputs(b, outs)
        if options is not None:
            tflite.OperatorAddBuiltinOptionsType(b, options[0])
            tflite.OperatorAddBuiltinOptions(b, options[1])
        operators.append(tflite.OperatorEnd(b))

    sg_name = b.CreateString(graph.name)
    sg_tensors = _offset_vector(b, tensors)
    sg_inputs = _int_vector(b, [index[id(v)] for v in graph.inputs])
    sg_outputs = _int_vector(b, [index[id(v)] for v in graph.outputs])
    sg_ops = _offset_vector(b, operators)
    tflite.SubGraphStart(b)
    tflite.SubGraphAddTensors(b, sg_tensors)
    tflite.SubGraphAddInputs(b, sg_inputs)
    tflite.SubGraphAddOutputs(b, sg_outputs)
    tflite.SubGraphAddOperators(b, sg_ops)
    tflite.SubGraphAddName(b, sg_name)
    subgraph = tflite.SubGraphEnd(b)

    codes = []
    for op, version in opcodes:
        code = builtin_code(op)
        tflite.OperatorCodeStart(b)
        # Codes above 127 live only in builtin_code; the int8 deprecated field saturates at 127 (the schema's
        # PLACEHOLDER_FOR_GREATER_OP_CODES), which is how readers know to look at the new field.
        tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
        tflite.OperatorCodeAddBuiltinCode(b, code)
        tflite.OperatorCodeAddVersion(b, version)
        codes.append(tflite.OperatorCodeEnd(b))

    meta = []
    for name, buf in metadata_entries:
        s = b.CreateString(name)
        tflite.MetadataStart(b)
        tflite.MetadataAddName(b, s)
        tflite.MetadataAddBuffer(b, buf)
        meta.append(tflite.MetadataEnd(b))

    model_codes = _offset_vector(b, codes)
    model_subgraphs = _offset_vector(b, [subgraph])
    model_buffers = _offset_vector(b, buffers)
    model_meta = _offset_vector(b, meta) if meta else None
    model_description = b.CreateString(description)
    tflite.ModelStart(b)
    tflite.ModelAddVersion(b, SCHEMA_VERSION)
    tflite.ModelAddOperatorCodes(b, model_codes)
    tflite.ModelAddSubgraphs(b, model_subgraphs)
    tflite.ModelAddDescription(b, model_description)
    tflite.ModelAddBuffers(b, model_buffers)
    if model_meta is not None:
        tflite.ModelAddMetadata(b, model_meta)
    b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
    return bytes(b.Output())
