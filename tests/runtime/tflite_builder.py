"""Writes real TFLite flatbuffers from a plain description, with the `flatbuffers` package and the `tflite`
package's generated builder functions.

The tests use it for valid models that LiteRT accepts (both opcode fields set, schema version 3, identifier "TFL3",
empty buffer 0, 16-byte aligned weights) and, through its knobs, for hostile files an exporter would never write
(bad indices, wrong buffer sizes, extra subgraphs, ...).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import flatbuffers
import numpy as np
import tflite

TENSOR_TYPES = {"float32": tflite.TensorType.FLOAT32, "int32": tflite.TensorType.INT32,
                "int8": tflite.TensorType.INT8, "float16": tflite.TensorType.FLOAT16,
                "int64": tflite.TensorType.INT64, "uint8": tflite.TensorType.UINT8, "bool": tflite.TensorType.BOOL,
                "int16": tflite.TensorType.INT16, "complex64": tflite.TensorType.COMPLEX64,
                "resource": tflite.TensorType.RESOURCE}
_PLACEHOLDER = 0x5EED_0000_0000_0000  # Buffer.offset placeholder of external_buffers
ACTIVATIONS = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3, "TANH": 4}
PADDINGS = {"SAME": 0, "VALID": 1}


@dataclass
class TensorSpec:
    name: str
    shape: Sequence[int]
    dtype: str = "float32"
    data: np.ndarray | bytes | None = None  # constant data (weights, bias, shape); None for activations
    is_variable: bool = False  # state an op keeps between invokes (LSTM and RNN states)
    scales: Sequence[float] | None = None  # quantisation parameters, written when given
    zero_points: Sequence[int] | None = None
    quantized_dimension: int = 0
    buffer: int | None = None  # override the buffer index (hostile files)
    shape_signature: Sequence[int] | None = None  # -1 marks a dynamic dimension (written by subgraph_builder)


@dataclass
class OpSpec:
    op: str  # BuiltinOperator name, e.g. "FULLY_CONNECTED"
    inputs: Sequence[int]
    outputs: Sequence[int]
    options: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    opcode_index: int | None = None  # override (hostile files)
    custom_code: str | None = None  # op "CUSTOM": the OperatorCode's custom_code
    custom_options: bytes | None = None  # Operator.custom_options (a flexbuffer for TensorFlow's custom ops)
    intermediates: Sequence[int] | None = None  # Operator.intermediates (the integer LSTM's gate scales)


def _byte_vector(b: flatbuffers.Builder, data: bytes, alignment: int = 16) -> int:
    # Weights aligned like the converter's force_align: 16 (the builder aligns from the end of a buffer whose size
    # it keeps aligned, so this is alignment from the start too).
    b.StartVector(1, len(data), alignment)
    b.head = b.head - len(data)
    b.Bytes[b.head : b.head + len(data)] = data
    return b.EndVector()


def _int_vector(b: flatbuffers.Builder, start: Callable[[Any, int], None], values: Sequence[int]) -> int:
    start(b, len(values))
    for v in reversed(values):
        b.PrependInt32(int(v))
    return b.EndVector()


def _offset_vector(b: flatbuffers.Builder, start: Callable[[Any, int], None], offsets: Sequence[int]) -> int:
    start(b, len(offsets))
    for o in reversed(offsets):
        b.PrependUOffsetTRelative(o)
    return b.EndVector()


def _options(b: flatbuffers.Builder, op: OpSpec) -> tuple[int, int]:
    """(BuiltinOptions type, table offset) of an op; (0, 0) when it has none."""
    o = op.options
    if op.op == "FULLY_CONNECTED":
        tflite.FullyConnectedOptionsStart(b)
        tflite.FullyConnectedOptionsAddFusedActivationFunction(b, ACTIVATIONS[o.get("activation", "NONE")])
        tflite.FullyConnectedOptionsAddKeepNumDims(b, bool(o.get("keep_num_dims", False)))
        if "asymmetric" in o:  # dynamic range: asymmetric_quantize_inputs
            tflite.FullyConnectedOptionsAddAsymmetricQuantizeInputs(b, bool(o["asymmetric"]))
        if "quantized_bias_type" in o:  # 16x8: the bias type LiteRT reads (FLOAT32, the default: int64)
            tflite.FullyConnectedOptionsAddQuantizedBiasType(b, TENSOR_TYPES[o["quantized_bias_type"]])
        return tflite.BuiltinOptions.FullyConnectedOptions, tflite.FullyConnectedOptionsEnd(b)
    if op.op == "BIDIRECTIONAL_SEQUENCE_LSTM":
        tflite.BidirectionalSequenceLSTMOptionsStart(b)
        tflite.BidirectionalSequenceLSTMOptionsAddFusedActivationFunction(b, ACTIVATIONS[o.get("activation", "TANH")])
        tflite.BidirectionalSequenceLSTMOptionsAddCellClip(b, float(o.get("cell_clip", 0.0)))
        tflite.BidirectionalSequenceLSTMOptionsAddProjClip(b, float(o.get("proj_clip", 0.0)))
        tflite.BidirectionalSequenceLSTMOptionsAddMergeOutputs(b, bool(o.get("merge_outputs", False)))
        if "time_major" in o:  # the schema's default is true
            tflite.BidirectionalSequenceLSTMOptionsAddTimeMajor(b, bool(o["time_major"]))
        tflite.BidirectionalSequenceLSTMOptionsAddAsymmetricQuantizeInputs(b, bool(o.get("asymmetric", False)))
        return tflite.BuiltinOptions.BidirectionalSequenceLSTMOptions, tflite.BidirectionalSequenceLSTMOptionsEnd(b)
    if op.op == "UNIDIRECTIONAL_SEQUENCE_LSTM":
        tflite.UnidirectionalSequenceLSTMOptionsStart(b)
        tflite.UnidirectionalSequenceLSTMOptionsAddFusedActivationFunction(b, ACTIVATIONS[o.get("activation", "TANH")])
        tflite.UnidirectionalSequenceLSTMOptionsAddCellClip(b, float(o.get("cell_clip", 0.0)))
        tflite.UnidirectionalSequenceLSTMOptionsAddProjClip(b, float(o.get("proj_clip", 0.0)))
        tflite.UnidirectionalSequenceLSTMOptionsAddTimeMajor(b, bool(o.get("time_major", False)))
        tflite.UnidirectionalSequenceLSTMOptionsAddAsymmetricQuantizeInputs(b, bool(o.get("asymmetric", False)))
        return tflite.BuiltinOptions.UnidirectionalSequenceLSTMOptions, tflite.UnidirectionalSequenceLSTMOptionsEnd(b)
    if op.op == "UNIDIRECTIONAL_SEQUENCE_RNN":
        tflite.SequenceRNNOptionsStart(b)
        tflite.SequenceRNNOptionsAddTimeMajor(b, bool(o.get("time_major", False)))
        tflite.SequenceRNNOptionsAddFusedActivationFunction(b, ACTIVATIONS[o.get("activation", "TANH")])
        if "asymmetric" in o:  # dynamic range: asymmetric_quantize_inputs
            tflite.SequenceRNNOptionsAddAsymmetricQuantizeInputs(b, bool(o["asymmetric"]))
        return tflite.BuiltinOptions.SequenceRNNOptions, tflite.SequenceRNNOptionsEnd(b)
    if op.op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        depthwise = op.op == "DEPTHWISE_CONV_2D"
        name = "DepthwiseConv2DOptions" if depthwise else "Conv2DOptions"
        getattr(tflite, name + "Start")(b)
        getattr(tflite, name + "AddPadding")(b, PADDINGS[o.get("padding", "SAME")])
        getattr(tflite, name + "AddStrideW")(b, int(o.get("stride_w", 1)))
        getattr(tflite, name + "AddStrideH")(b, int(o.get("stride_h", 1)))
        getattr(tflite, name + "AddDilationWFactor")(b, int(o.get("dilation_w", 1)))
        getattr(tflite, name + "AddDilationHFactor")(b, int(o.get("dilation_h", 1)))
        getattr(tflite, name + "AddFusedActivationFunction")(b, ACTIVATIONS[o.get("activation", "NONE")])
        if depthwise:
            tflite.DepthwiseConv2DOptionsAddDepthMultiplier(b, int(o.get("depth_multiplier", 1)))
        elif "quantized_bias_type" in o:  # as FULLY_CONNECTED's
            tflite.Conv2DOptionsAddQuantizedBiasType(b, TENSOR_TYPES[o["quantized_bias_type"]])
        return getattr(tflite.BuiltinOptions, name), getattr(tflite, name + "End")(b)
    if op.op in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        tflite.Pool2DOptionsStart(b)
        tflite.Pool2DOptionsAddPadding(b, PADDINGS[o.get("padding", "VALID")])
        tflite.Pool2DOptionsAddStrideW(b, int(o.get("stride_w", 1)))
        tflite.Pool2DOptionsAddStrideH(b, int(o.get("stride_h", 1)))
        tflite.Pool2DOptionsAddFilterWidth(b, int(o.get("filter_w", 1)))
        tflite.Pool2DOptionsAddFilterHeight(b, int(o.get("filter_h", 1)))
        tflite.Pool2DOptionsAddFusedActivationFunction(b, ACTIVATIONS[o.get("activation", "NONE")])
        return tflite.BuiltinOptions.Pool2DOptions, tflite.Pool2DOptionsEnd(b)
    if op.op in ("MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD"):
        tflite.ReducerOptionsStart(b)
        tflite.ReducerOptionsAddKeepDims(b, bool(o.get("keep_dims", False)))
        return tflite.BuiltinOptions.ReducerOptions, tflite.ReducerOptionsEnd(b)
    if op.op == "BATCH_MATMUL":
        tflite.BatchMatMulOptionsStart(b)
        tflite.BatchMatMulOptionsAddAdjX(b, bool(o.get("adj_x", False)))
        tflite.BatchMatMulOptionsAddAdjY(b, bool(o.get("adj_y", False)))
        if "asymmetric" in o:  # dynamic range: asymmetric_quantize_inputs
            tflite.BatchMatMulOptionsAddAsymmetricQuantizeInputs(b, bool(o["asymmetric"]))
        return tflite.BuiltinOptions.BatchMatMulOptions, tflite.BatchMatMulOptionsEnd(b)
    if op.op in _LAYOUT_OPTIONS or op.op in ("ADD", "SUB", "MUL"):
        return _elementwise_or_layout_options(b, op)
    if op.op == "SOFTMAX":
        tflite.SoftmaxOptionsStart(b)
        tflite.SoftmaxOptionsAddBeta(b, float(o.get("beta", 1.0)))
        return tflite.BuiltinOptions.SoftmaxOptions, tflite.SoftmaxOptionsEnd(b)
    if op.op == "RESHAPE":
        new_shape = o.get("new_shape")
        vec = _int_vector(b, tflite.ReshapeOptionsStartNewShapeVector, new_shape) if new_shape is not None else 0
        tflite.ReshapeOptionsStart(b)
        if vec:
            tflite.ReshapeOptionsAddNewShape(b, vec)
        return tflite.BuiltinOptions.ReshapeOptions, tflite.ReshapeOptionsEnd(b)
    return 0, 0


# Ops whose options table holds only scalars: option name -> (tflite builder suffix, type, default).
_LAYOUT_OPTIONS: dict[str, dict[str, tuple[str, type, Any]]] = {
    "CONCATENATION": {"axis": ("Axis", int, 0), "activation": ("FusedActivationFunction", str, "NONE")},
    "PACK": {"values_count": ("ValuesCount", int, 0), "axis": ("Axis", int, 0)},
    "GATHER": {"axis": ("Axis", int, 0), "batch_dims": ("BatchDims", int, 0)},
    "SHAPE": {"out_type": ("OutType", str, "int32")},
    "STRIDED_SLICE": {"begin_mask": ("BeginMask", int, 0), "end_mask": ("EndMask", int, 0),
                      "ellipsis_mask": ("EllipsisMask", int, 0), "new_axis_mask": ("NewAxisMask", int, 0),
                      "shrink_axis_mask": ("ShrinkAxisMask", int, 0), "offset": ("Offset", bool, False)},
    "RESIZE_NEAREST_NEIGHBOR": {"align_corners": ("AlignCorners", bool, False),
                                "half_pixel_centers": ("HalfPixelCenters", bool, False)},
    "LEAKY_RELU": {"alpha": ("Alpha", float, 0.2)},
    "GELU": {"approximate": ("Approximate", bool, False)},
    "PAD": {}, "TRANSPOSE": {}, "SPACE_TO_BATCH_ND": {}, "BATCH_TO_SPACE_ND": {}, "SQUEEZE": {},
    "RESIZE_BILINEAR": {"align_corners": ("AlignCorners", bool, False),
                        "half_pixel_centers": ("HalfPixelCenters", bool, False)},
    "DEPTH_TO_SPACE": {"block_size": ("BlockSize", int, 2)},
    "SPACE_TO_DEPTH": {"block_size": ("BlockSize", int, 2)},
    "TRANSPOSE_CONV": {"padding": ("Padding", str, "SAME"), "stride_w": ("StrideW", int, 1),
                       "stride_h": ("StrideH", int, 1), "activation": ("FusedActivationFunction", str, "NONE"),
                       "quantized_bias_type": ("QuantizedBiasType", str, "float32")},  # float32: unset
    "MIRROR_PAD": {"mode": ("Mode", int, 0)},  # 0 REFLECT, 1 SYMMETRIC
    "PADV2": {},
    "L2_NORMALIZATION": {"activation": ("FusedActivationFunction", str, "NONE")},
    "LOCAL_RESPONSE_NORMALIZATION": {"radius": ("Radius", int, 5), "bias": ("Bias", float, 1.0),
                                     "alpha": ("Alpha", float, 1.0), "beta": ("Beta", float, 0.5)},
    "SPLIT": {"num_splits": ("NumSplits", int, 1)}, "SPLIT_V": {"num_splits": ("NumSplits", int, 1)},
    "UNPACK": {"num": ("Num", int, 1), "axis": ("Axis", int, 0)},
    "ARG_MAX": {"output_type": ("OutputType", str, "int64")}, "ARG_MIN": {"output_type": ("OutputType", str, "int64")},
    "SLICE": {}, "EXPAND_DIMS": {}, "TILE": {}, "BROADCAST_TO": {}, "GATHER_ND": {}, "REVERSE_V2": {}, "RANGE": {},
}
_OPTIONS_TABLE = {"CONCATENATION": "ConcatenationOptions", "PACK": "PackOptions", "GATHER": "GatherOptions",
                  "SHAPE": "ShapeOptions", "STRIDED_SLICE": "StridedSliceOptions",
                  "RESIZE_NEAREST_NEIGHBOR": "ResizeNearestNeighborOptions", "LEAKY_RELU": "LeakyReluOptions",
                  "GELU": "GeluOptions", "PAD": "PadOptions", "TRANSPOSE": "TransposeOptions",
                  "SPACE_TO_BATCH_ND": "SpaceToBatchNDOptions", "BATCH_TO_SPACE_ND": "BatchToSpaceNDOptions",
                  "SQUEEZE": "SqueezeOptions", "ADD": "AddOptions", "SUB": "SubOptions", "MUL": "MulOptions",
                  "RESIZE_BILINEAR": "ResizeBilinearOptions", "DEPTH_TO_SPACE": "DepthToSpaceOptions",
                  "SPACE_TO_DEPTH": "SpaceToDepthOptions", "TRANSPOSE_CONV": "TransposeConvOptions",
                  "MIRROR_PAD": "MirrorPadOptions", "PADV2": "PadV2Options", "L2_NORMALIZATION": "L2NormOptions",
                  "LOCAL_RESPONSE_NORMALIZATION": "LocalResponseNormalizationOptions",
                  "SPLIT": "SplitOptions", "SPLIT_V": "SplitVOptions", "UNPACK": "UnpackOptions",
                  "ARG_MAX": "ArgMaxOptions", "ARG_MIN": "ArgMinOptions", "SLICE": "SliceOptions",
                  "EXPAND_DIMS": "ExpandDimsOptions", "TILE": "TileOptions", "BROADCAST_TO": "BroadcastToOptions",
                  "GATHER_ND": "GatherNdOptions", "REVERSE_V2": "ReverseV2Options", "RANGE": "RangeOptions"}


def _elementwise_or_layout_options(b: flatbuffers.Builder, op: OpSpec) -> tuple[int, int]:
    """Options of ADD/SUB/MUL (activation) and of the layout ops in _LAYOUT_OPTIONS; SQUEEZE's squeeze_dims."""
    table = _OPTIONS_TABLE[op.op]
    o = op.options
    squeeze_dims = 0
    if op.op == "SQUEEZE" and o.get("squeeze_dims"):
        squeeze_dims = _int_vector(b, tflite.SqueezeOptionsStartSqueezeDimsVector, o["squeeze_dims"])
    getattr(tflite, table + "Start")(b)
    if op.op in ("ADD", "SUB", "MUL"):
        getattr(tflite, table + "AddFusedActivationFunction")(b, ACTIVATIONS[o.get("activation", "NONE")])
        if "pot_scale_int16" in o:  # ADD and SUB: unwritten means true (the schema's default)
            getattr(tflite, table + "AddPotScaleInt16")(b, bool(o["pot_scale_int16"]))
    for key, (suffix, kind, default) in _LAYOUT_OPTIONS.get(op.op, {}).items():
        value = o.get(key, default)
        if key == "activation":
            value = ACTIVATIONS[value]
        elif key == "padding":
            value = PADDINGS[value]
        elif key in ("out_type", "output_type", "quantized_bias_type"):
            value = TENSOR_TYPES[value]
        else:
            value = kind(value)
        getattr(tflite, table + "Add" + suffix)(b, value)
    if squeeze_dims:
        tflite.SqueezeOptionsAddSqueezeDims(b, squeeze_dims)
    return getattr(tflite.BuiltinOptions, table), getattr(tflite, table + "End")(b)


def _tensor_bytes(t: TensorSpec) -> bytes:
    if t.data is None:
        return b""
    if isinstance(t.data, bytes):
        return t.data
    return np.ascontiguousarray(t.data, dtype=np.dtype(t.dtype)).tobytes()


def build_model(
    tensors: Sequence[TensorSpec],
    ops: Sequence[OpSpec],
    inputs: Sequence[int],
    outputs: Sequence[int],
    *,
    schema_version: int = 3,
    subgraphs: int = 1,
    description: str = "ember test model",
    external_buffers: bool = False,
    metadata: dict[str, bytes] | None = None,
) -> bytes:
    """A complete .tflite file. Constant tensors get buffers 1.. in order; buffer 0 is the empty one.

    metadata: Model.metadata entries, each pointing at a buffer of its own after the tensors' buffers (e.g.
    "OfflineMemoryAllocation").

    external_buffers: store constant data after the flatbuffer and point at it with Buffer.offset/size, the
    layout TFLite uses for models over 2 GB.
    """
    b = flatbuffers.Builder(1024)

    # Buffers first: they are the big, aligned objects, and the rest refers to them by index only.
    buffer_of: list[int] = []
    datas: list[bytes] = [b""]
    for t in tensors:
        data = _tensor_bytes(t)
        if data:
            buffer_of.append(len(datas))
            datas.append(data)
        else:
            buffer_of.append(0)
    metadata_buffers = {}
    for key, value in (metadata or {}).items():
        metadata_buffers[key] = len(datas)
        datas.append(value)
    buffer_offsets = []
    for i, data in enumerate(datas):
        vec = _byte_vector(b, data) if data and not external_buffers else 0
        tflite.BufferStart(b)
        if vec:
            tflite.BufferAddData(b, vec)
        if data and external_buffers:
            # Unique placeholders, patched with real file offsets once the flatbuffer's size is known.
            tflite.BufferAddOffset(b, _PLACEHOLDER + i)
            tflite.BufferAddSize(b, len(data))
        buffer_offsets.append(tflite.BufferEnd(b))

    tensor_offsets = []
    for i, t in enumerate(tensors):
        name = b.CreateString(t.name)
        shape = _int_vector(b, tflite.TensorStartShapeVector, t.shape)
        quant = 0
        if t.scales is not None:
            tflite.QuantizationParametersStartScaleVector(b, len(t.scales))
            for s in reversed(t.scales):
                b.PrependFloat32(float(s))
            scales = b.EndVector()
            zps = t.zero_points if t.zero_points is not None else [0] * len(t.scales)
            tflite.QuantizationParametersStartZeroPointVector(b, len(zps))
            for z in reversed(zps):
                b.PrependInt64(int(z))
            zero_points = b.EndVector()
            tflite.QuantizationParametersStart(b)
            tflite.QuantizationParametersAddScale(b, scales)
            tflite.QuantizationParametersAddZeroPoint(b, zero_points)
            tflite.QuantizationParametersAddQuantizedDimension(b, t.quantized_dimension)
            quant = tflite.QuantizationParametersEnd(b)
        tflite.TensorStart(b)
        tflite.TensorAddShape(b, shape)
        tflite.TensorAddType(b, TENSOR_TYPES[t.dtype])
        tflite.TensorAddBuffer(b, t.buffer if t.buffer is not None else buffer_of[i])
        tflite.TensorAddName(b, name)
        if t.is_variable:
            tflite.TensorAddIsVariable(b, True)
        if quant:
            tflite.TensorAddQuantization(b, quant)
        tensor_offsets.append(tflite.TensorEnd(b))

    # One operator code per distinct (op, version, custom_code), in order of first use.
    codes: list[tuple[str, int, str | None]] = []
    for op in ops:
        if (op.op, op.version, op.custom_code) not in codes:
            codes.append((op.op, op.version, op.custom_code))
    op_offsets = []
    for op in ops:
        ins = _int_vector(b, tflite.OperatorStartInputsVector, op.inputs)
        outs = _int_vector(b, tflite.OperatorStartOutputsVector, op.outputs)
        mids = _int_vector(b, tflite.OperatorStartIntermediatesVector, op.intermediates) if op.intermediates else 0
        options_type, options = _options(b, op)
        custom_options = _byte_vector(b, op.custom_options, 1) if op.custom_options is not None else 0
        tflite.OperatorStart(b)
        index = op.opcode_index if op.opcode_index is not None else codes.index((op.op, op.version, op.custom_code))
        tflite.OperatorAddOpcodeIndex(b, index)
        tflite.OperatorAddInputs(b, ins)
        tflite.OperatorAddOutputs(b, outs)
        if mids:
            tflite.OperatorAddIntermediates(b, mids)
        if options:
            tflite.OperatorAddBuiltinOptionsType(b, options_type)
            tflite.OperatorAddBuiltinOptions(b, options)
        if custom_options:
            tflite.OperatorAddCustomOptions(b, custom_options)
        op_offsets.append(tflite.OperatorEnd(b))

    subgraph_offsets = []
    for _ in range(subgraphs):
        tensors_vec = _offset_vector(b, tflite.SubGraphStartTensorsVector, tensor_offsets)
        inputs_vec = _int_vector(b, tflite.SubGraphStartInputsVector, inputs)
        outputs_vec = _int_vector(b, tflite.SubGraphStartOutputsVector, outputs)
        ops_vec = _offset_vector(b, tflite.SubGraphStartOperatorsVector, op_offsets)
        name = b.CreateString("main")
        tflite.SubGraphStart(b)
        tflite.SubGraphAddTensors(b, tensors_vec)
        tflite.SubGraphAddInputs(b, inputs_vec)
        tflite.SubGraphAddOutputs(b, outputs_vec)
        tflite.SubGraphAddOperators(b, ops_vec)
        tflite.SubGraphAddName(b, name)
        subgraph_offsets.append(tflite.SubGraphEnd(b))

    code_offsets = []
    for name, version, custom_code in codes:
        code = getattr(tflite.BuiltinOperator, name)
        custom = b.CreateString(custom_code) if custom_code is not None else 0
        tflite.OperatorCodeStart(b)
        if custom:
            tflite.OperatorCodeAddCustomCode(b, custom)
        # Both fields, as current converters write them: the int8 field saturates at 127 (placeholder).
        tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
        tflite.OperatorCodeAddBuiltinCode(b, code)
        tflite.OperatorCodeAddVersion(b, version)
        code_offsets.append(tflite.OperatorCodeEnd(b))

    codes_vec = _offset_vector(b, tflite.ModelStartOperatorCodesVector, code_offsets)
    subgraphs_vec = _offset_vector(b, tflite.ModelStartSubgraphsVector, subgraph_offsets)
    buffers_vec = _offset_vector(b, tflite.ModelStartBuffersVector, buffer_offsets)
    metadata_offsets = []
    for key, index in metadata_buffers.items():
        name = b.CreateString(key)
        tflite.MetadataStart(b)
        tflite.MetadataAddName(b, name)
        tflite.MetadataAddBuffer(b, index)
        metadata_offsets.append(tflite.MetadataEnd(b))
    metadata_vec = _offset_vector(b, tflite.ModelStartMetadataVector, metadata_offsets) if metadata_offsets else 0
    desc = b.CreateString(description)
    tflite.ModelStart(b)
    if metadata_vec:
        tflite.ModelAddMetadata(b, metadata_vec)
    tflite.ModelAddVersion(b, schema_version)
    tflite.ModelAddOperatorCodes(b, codes_vec)
    tflite.ModelAddSubgraphs(b, subgraphs_vec)
    tflite.ModelAddDescription(b, desc)
    tflite.ModelAddBuffers(b, buffers_vec)
    b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
    model = bytes(b.Output())
    if not external_buffers:
        return model
    out = bytearray(model)
    for i, data in enumerate(datas):
        if not data:
            continue
        out += b"\0" * (-len(out) % 16)
        placeholder = struct.pack("<Q", _PLACEHOLDER + i)
        assert out.count(placeholder) == 1
        at = out.index(placeholder)
        out[at : at + 8] = struct.pack("<Q", len(out))
        out += data
    return bytes(out)


@dataclass
class MlpCase:
    """A random MLP model and what is needed to feed it."""

    model: bytes
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    tensors: list[TensorSpec]
    ops: list[OpSpec]


def mlp_model(
    rng: np.random.Generator,
    batch: int = 2,
    image: tuple[int, int] = (3, 4),
    hidden: int = 16,
    classes: int = 5,
    *,
    shape_tensor: bool = True,
    reshape_output: bool = False,
    bias2: bool = True,
    beta: float = 1.0,
) -> MlpCase:
    """input [batch, h, w] -> RESHAPE [batch, h*w] -> FC(RELU) -> FC -> SOFTMAX (-> RESHAPE [batch, 1, classes])."""
    h, w = image
    features = h * w
    f32 = np.float32
    tensors = [
        TensorSpec("input", [batch, h, w]),
        TensorSpec("flatten", [batch, features]),
        TensorSpec("fc1/weights", [hidden, features], data=rng.standard_normal((hidden, features)).astype(f32)),
        TensorSpec("fc1/bias", [hidden], data=rng.standard_normal(hidden).astype(f32)),
        TensorSpec("fc1/out", [batch, hidden]),
        TensorSpec("fc2/weights", [classes, hidden], data=rng.standard_normal((classes, hidden)).astype(f32)),
        TensorSpec("fc2/bias", [classes], data=rng.standard_normal(classes).astype(f32)),
        TensorSpec("logits", [batch, classes]),
        TensorSpec("probs", [batch, classes]),
    ]
    reshape_inputs = [0]
    if shape_tensor:
        tensors.append(TensorSpec("flatten/shape", [2], "int32", data=np.array([-1, features], np.int32)))
        reshape_inputs.append(len(tensors) - 1)
    ops = [
        OpSpec("RESHAPE", reshape_inputs, [1], {} if shape_tensor else {"new_shape": [batch, features]}),
        OpSpec("FULLY_CONNECTED", [1, 2, 3], [4], {"activation": "RELU"}),
        OpSpec("FULLY_CONNECTED", [4, 5, 6 if bias2 else -1], [7]),
        OpSpec("SOFTMAX", [7], [8], {"beta": beta}),
    ]
    output = 8
    output_shape: tuple[int, ...] = (batch, classes)
    if reshape_output:
        tensors.append(TensorSpec("probs3d", [batch, 1, classes]))
        ops.append(OpSpec("RESHAPE", [8], [len(tensors) - 1], {"new_shape": [batch, 1, classes]}))
        output = len(tensors) - 1
        output_shape = (batch, 1, classes)
    model = build_model(tensors, ops, [0], [output])
    return MlpCase(model, (batch, h, w), output_shape, tensors, ops)
