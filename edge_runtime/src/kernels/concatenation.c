/* CONCATENATION along one axis. float32 and int32 copy; int8 copies inputs whose scale and zero point equal
 * the output's and requantises the others in float like TFLite's ConcatenationWithScaling:
 * round(q * (s_in * (1 / s_out)) - zp_in * that) + zp_out. (LiteRT itself refuses int8 inputs with other
 * parameters than the output; the converter never writes them, our exporter may.) int16 (16x8) copies too, as
 * LiteRT does, whatever the scales (TensorFlow's converter puts a requantising QUANTIZE before an input of
 * another scale); LiteRT requires its zero points to be 0. An input whose shape is known only at run time (a
 * SLICE with a computed size, as in TensorFlow's GRU / SimpleRNN loop bodies) is checked at prepare on type
 * and rank only; eval takes its actual dims and checks that the inputs still fill the output. */
#include <math.h>
#include <string.h>

#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "kernels/operands.h"
#include "kernels/uint8.h"
#include "quantization.h"
#include "tflite_schema.h"

/* An int16 operand's zero point must be 0 where it has quantisation parameters (LiteRT's check). */
static ember_status check_int16(ember_interpreter *ctx, const ember_node *node, const ember_tensor *t) {
    float scale;
    int32_t zero_point;
    return t->type == EMBER_INT16 && t->quant_count
               ? ember_tensor_quant_i16(ctx, node, t, 1, &scale, &zero_point)
               : EMBER_OK;
}

/* Inputs a node may have; more is refused in prepare (op data has a fixed size). */
#define CONCAT_MAX_INPUTS 64

typedef struct concat_data {
    int32_t outer;                         /* product of the dims before the axis */
    size_t row_bytes[CONCAT_MAX_INPUTS];   /* bytes of one row of each input */
    uint8_t requantize[CONCAT_MAX_INPUTS]; /* int8 input with other parameters than the output */
    float scale[CONCAT_MAX_INPUTS];
    float bias[CONCAT_MAX_INPUTS];
    int32_t output_zero_point;
    int32_t axis;
    int64_t inner;   /* product of the output's dims after the axis */
    int32_t dynamic; /* an input's shape is known only at run time */
} concat_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    concat_data *data = (concat_data *)node->op_data;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int32_t n = node->index, axis, d, i, axis_sum = 0;
    int64_t inner;
    int8_t activation;
    size_t elem;
    float s_out = 0.0f;
    char a[96], b[96];

    EMBER_CHECK(ctx,
                node->input_count >= 1 && node->input_count <= CONCAT_MAX_INPUTS && node->output_count == 1,
                EMBER_INVALID_MODEL, "CONCATENATION %ld: needs 1 to %d inputs and 1 output, has %ld and %ld",
                (long)n, CONCAT_MAX_INPUTS, (long)node->input_count, (long)node->output_count);
    EMBER_TRY(ember_option_i32(ctx, node, TFL_CONCAT_AXIS, 0, &axis));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_CONCAT_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    EMBER_CHECK(ctx, activation == TFL_ACT_NONE, EMBER_UNSUPPORTED,
                "CONCATENATION %ld: fused activation %d is not supported", (long)n, (int)activation);
    EMBER_CHECK(ctx,
                output->type == EMBER_FLOAT32 || output->type == EMBER_INT8 || output->type == EMBER_INT16 ||
                    output->type == EMBER_INT32 || output->type == EMBER_INT64 || output->type == EMBER_BOOL,
                EMBER_UNSUPPORTED, "CONCATENATION %ld: type %s is not supported", (long)n,
                ember_type_name(output->type));
    axis = axis < 0 ? axis + output->rank : axis;
    EMBER_CHECK(ctx, axis >= 0 && axis < output->rank, EMBER_INVALID_MODEL,
                "CONCATENATION %ld: axis is outside output '%.64s' %s", (long)n, output->name,
                ember_shape_string(output, a, sizeof a));
    if (output->type == EMBER_INT8)
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, output, &s_out, &data->output_zero_point));
    EMBER_TRY(check_int16(ctx, node, output));
    elem = ember_type_size(output->type);
    /* An empty output has empty inputs: nothing to copy, and its partial products may pass int32. */
    inner = ember_element_count(output) ? ember_dims_product(output->dims, axis + 1, output->rank) : 0;
    data->outer = ember_element_count(output) ? (int32_t)ember_dims_product(output->dims, 0, axis) : 0;
    for (i = 0; i < node->input_count; ++i) {
        const ember_tensor *t = ember_node_input(ctx, node, i);
        int ok = t && t->type == output->type && t->rank == output->rank;
        for (d = 0; ok && d < t->rank && !t->runtime_shape; ++d)
            ok = d == axis || t->dims[d] == output->dims[d];
        EMBER_CHECK(
            ctx, ok, EMBER_INVALID_MODEL,
            "CONCATENATION %ld: input %ld '%.64s' %s %s does not fit output '%.64s' %s %s on axis %ld",
            (long)n, (long)i, t ? t->name : "", t ? ember_type_name(t->type) : "",
            t ? ember_shape_string(t, a, sizeof a) : "", output->name, ember_type_name(output->type),
            ember_shape_string(output, b, sizeof b), (long)axis);
        EMBER_CHECK(ctx, axis_sum <= INT32_MAX - t->dims[axis], EMBER_INVALID_MODEL,
                    "CONCATENATION %ld: inputs add up to more than 2^31 along axis %ld", (long)n, (long)axis);
        axis_sum += t->dims[axis];
        EMBER_TRY(check_int16(ctx, node, t));
        data->row_bytes[i] = (size_t)t->dims[axis] * (size_t)inner * elem;
        data->requantize[i] = 0;
        if (output->type == EMBER_INT8) {
            float s;
            int32_t z;
            EMBER_TRY(ember_tensor_quant_i8(ctx, node, t, &s, &z));
            if (s != s_out || z != data->output_zero_point) {
                data->requantize[i] = 1;
                data->scale[i] = s * (1.0f / s_out);
                data->bias[i] = (float)-z * data->scale[i];
            }
        }
    }
    data->axis = axis;
    data->inner = inner;
    data->dynamic = 0;
    for (i = 0; i < node->input_count; ++i)
        data->dynamic |= ember_node_input(ctx, node, i)->runtime_shape;
    EMBER_CHECK(ctx, data->dynamic || axis_sum == output->dims[axis], EMBER_INVALID_MODEL,
                "CONCATENATION %ld: inputs add up to %ld along axis %ld, output '%.64s' %s has %ld", (long)n,
                (long)axis_sum, (long)axis, output->name, ember_shape_string(output, a, sizeof a),
                (long)output->dims[axis]);
    return EMBER_OK;
}

static void requantize(const concat_data *data, int32_t i, const int8_t *x, int8_t *y, size_t count) {
    size_t j;
    for (j = 0; j < count; ++j) {
        float v = roundf((float)x[j] * data->scale[i] + data->bias[i]);
        v = v < -1024.0f || v != v ? -1024.0f : (v > 1024.0f ? 1024.0f : v);
        y[j] = ember_clamp_i8((int32_t)v + data->output_zero_point, -128, 127);
    }
}

/* The inputs whose shape is known only now: their row bytes, once they are checked to fill the output. */
static ember_status runtime_rows(ember_interpreter *ctx, const ember_node *node) {
    concat_data *data = (concat_data *)node->op_data;
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    int64_t axis_sum = 0;
    int32_t i, d;
    for (i = 0; i < node->input_count; ++i) {
        const ember_tensor *t = ember_node_input(ctx, node, i);
        for (d = 0; t->runtime_shape && d < t->rank; ++d)
            EMBER_CHECK(ctx, d == data->axis || t->dims[d] == output->dims[d], EMBER_RUNTIME_ERROR,
                        "CONCATENATION %ld (subgraph %ld): input %ld '%.64s' has %ld entries on axis %ld at "
                        "run time, output '%.64s' %ld",
                        (long)node->index, (long)node->subgraph, (long)i, t->name, (long)t->dims[d], (long)d,
                        output->name, (long)output->dims[d]);
        if (t->runtime_shape)
            data->row_bytes[i] = (size_t)t->dims[data->axis] * (size_t)data->inner * ember_type_size(t->type);
        axis_sum += t->dims[data->axis];
    }
    EMBER_CHECK(
        ctx, axis_sum == output->dims[data->axis], EMBER_RUNTIME_ERROR,
        "CONCATENATION %ld (subgraph %ld): the inputs add up to %lld along axis %ld at run time, output "
        "'%.64s' has %ld",
        (long)node->index, (long)node->subgraph, (long long)axis_sum, (long)data->axis, output->name,
        (long)output->dims[data->axis]);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const concat_data *data = (const concat_data *)node->op_data;
    uint8_t *out = (uint8_t *)ember_node_output(ctx, node, 0)->data;
    int32_t o, i;
    if (data->dynamic)
        EMBER_TRY(runtime_rows(ctx, node));
    for (o = 0; o < data->outer; ++o) {
        for (i = 0; i < node->input_count; ++i) {
            const uint8_t *in =
                (const uint8_t *)ember_node_input(ctx, node, i)->data + (size_t)o * data->row_bytes[i];
            if (data->requantize[i])
                requantize(data, i, (const int8_t *)in, (int8_t *)out, data->row_bytes[i]);
            else if (data->row_bytes[i])
                memcpy(out, in, data->row_bytes[i]);
            out += data->row_bytes[i];
        }
    }
    return EMBER_OK;
}

EMBER_U8_VIA_I8(concatenation, prepare, eval, NULL)

const ember_kernel ember_kernel_concatenation = {
    TFL_OP_CONCATENATION,
    "CONCATENATION",
    4,
    TFL_OPTIONS_CONCATENATION,
    sizeof(concat_data),
    concatenation_prepare_u8,
    concatenation_eval_u8,
    NULL,
    concatenation_scratch_u8,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I16 | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_BOOL,
};
