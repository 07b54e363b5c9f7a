/* PADV2: PAD with the pad value taken from the scalar constant_values input (input 2; without it zero, or the
 * output zero point), read at eval as LiteRT does. Quantised types keep their parameters, constant_values
 * included, so its raw code is the pad. The geometry and eval are PAD's (kernels/pad.h). */
#include "kernels/kernels.h"
#include "kernels/pad.h"
#include "quantization.h"
#include "tflite_schema.h"

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    ember_pad *p = (ember_pad *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *value = ember_node_input(ctx, node, 2);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    long n = (long)node->index;
    EMBER_CHECK(ctx, (node->input_count == 2 || node->input_count == 3) && node->output_count == 1 && input,
                EMBER_INVALID_MODEL,
                "PADV2 %ld: needs inputs (input, paddings[, constant_values]) and 1 output, has %ld and %ld",
                n, (long)node->input_count, (long)node->output_count);
    EMBER_TRY(ember_pad_prepare(ctx, node, p));
    EMBER_CHECK(
        ctx, !value || (value->type == input->type && ember_element_count(value) == 1), EMBER_INVALID_MODEL,
        "PADV2 %ld: constant_values '%.64s' must be one %s element, is %s with %ld", n,
        value ? value->name : "", ember_type_name(input->type),
        ember_type_name(value ? value->type : input->type), (long)(value ? ember_element_count(value) : 0));
    if (input->type == EMBER_INT8 || input->type == EMBER_UINT8) {
        int32_t zp;
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, input, output, NULL, &zp));
        if (value)
            EMBER_TRY(ember_check_same_quant_i8(ctx, node, value, output, NULL, NULL));
        p->fill[0] = (uint8_t)(zp & 0xff);
    }
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *value = ember_node_input(ctx, node, 2);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    ember_pad_run((const ember_pad *)node->op_data, input->data, input->bytes, output->data, output->bytes,
                  value ? value->data : NULL);
    return EMBER_OK;
}

const ember_kernel ember_kernel_padv2 = {
    TFL_OP_PADV2,
    "PADV2",
    4,
    TFL_OPTIONS_PADV2,
    sizeof(ember_pad),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_F32 | EMBER_T_I8 | EMBER_T_U8 | EMBER_T_I32 | EMBER_T_I64,
};
