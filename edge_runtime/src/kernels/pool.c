/* The pooling ops' shared prepare and eval (see pool.h). */
#include "kernels/pool.h"

#include "kernels/int16_quant.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

ember_status ember_pool_prepare(ember_interpreter *ctx, const ember_node *node, ember_pool_params *p) {
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    const ember_tensor *output = ember_node_output(ctx, node, 0);
    const char *op = node->kernel->name;
    long n = (long)node->index;
    int8_t padding, activation;

    EMBER_CHECK(ctx, node->input_count == 1 && node->output_count == 1 && input, EMBER_INVALID_MODEL,
                "%s %ld: needs 1 input and 1 output, has %ld and %ld", op, n, (long)node->input_count,
                (long)node->output_count);
    EMBER_TRY(ember_option_i8(ctx, node, TFL_POOL_PADDING, TFL_PADDING_SAME, &padding));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_POOL_STRIDE_W, 0, &p->w.stride_w));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_POOL_STRIDE_H, 0, &p->w.stride_h));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_POOL_FILTER_W, 0, &p->w.filter_w));
    EMBER_TRY(ember_option_i32(ctx, node, TFL_POOL_FILTER_H, 0, &p->w.filter_h));
    EMBER_TRY(ember_option_i8(ctx, node, TFL_POOL_FUSED_ACTIVATION, TFL_ACT_NONE, &activation));
    p->w.dilation_h = p->w.dilation_w = 1;
    EMBER_TRY(ember_window_prepare(ctx, node, padding, input, output, &p->w, &p->s));
    EMBER_CHECK(ctx, p->s.in_c == p->s.out_c, EMBER_INVALID_MODEL,
                "%s %ld: input has %ld channels, output '%.64s' %ld", op, n, (long)p->s.in_c, output->name,
                (long)p->s.out_c);
    if (input->type == EMBER_FLOAT32 && output->type == EMBER_FLOAT32) {
        EMBER_CHECK(ctx, ember_activation_range_f32(activation, &p->act_min_f, &p->act_max_f),
                    EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", op, n,
                    (int)activation);
        return EMBER_OK;
    }
    if (input->type == EMBER_INT16 && output->type == EMBER_INT16) {
        /* LiteRT takes any zero point here; input and output share theirs as for int8 */
        float s_in = 0.0f, s_out = 0.0f; /* set on success; initialised as GCC cannot tell */
        int32_t z_in = 0, z_out = 0;
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, input, 0, &s_in, &z_in));
        EMBER_TRY(ember_tensor_quant_i16(ctx, node, output, 0, &s_out, &z_out));
        EMBER_CHECK(
            ctx, s_in == s_out && z_in == z_out, EMBER_INVALID_MODEL,
            "%s %ld: int16 input '%.64s' (scale %g, zero point %ld) and output '%.64s' (scale %g, zero "
            "point %ld) must share quantisation parameters",
            op, n, input->name, (double)s_in, (long)z_in, output->name, (double)s_out, (long)z_out);
        EMBER_CHECK(
            ctx, ember_activation_range_q(activation, s_out, z_out, -32768, 32767, &p->act_min, &p->act_max),
            EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", op, n, (int)activation);
        return EMBER_OK;
    }
    EMBER_CHECK(ctx, input->type == EMBER_INT8 && output->type == EMBER_INT8, EMBER_UNSUPPORTED,
                "%s %ld: types input %s, output %s; float32, int8 or int16 (both) are supported", op, n,
                ember_type_name(input->type), ember_type_name(output->type));
    {
        float s_out;
        int32_t zp;
        EMBER_TRY(ember_check_same_quant_i8(ctx, node, input, output, &s_out, &zp));
        EMBER_CHECK(ctx, ember_activation_range_i8(activation, s_out, zp, &p->act_min, &p->act_max),
                    EMBER_UNSUPPORTED, "%s %ld: fused activation %d is not supported", op, n,
                    (int)activation);
    }
    return EMBER_OK;
}

ember_status ember_pool_eval(ember_interpreter *ctx, const ember_node *node, ember_pool_f32_fn *f32,
                             ember_pool_i8_fn *i8, ember_pool_i16_fn *i16) {
    const ember_pool_params *p = (const ember_pool_params *)node->op_data;
    const ember_tensor *input = ember_node_input(ctx, node, 0);
    ember_tensor *output = ember_node_output(ctx, node, 0);
    if (input->type == EMBER_FLOAT32)
        f32(p, (const float *)input->data, (float *)output->data);
    else if (input->type == EMBER_INT16)
        i16(p, (const int16_t *)input->data, (int16_t *)output->data);
    else
        i8(p, (const int8_t *)input->data, (int8_t *)output->data);
    return EMBER_OK;
}
