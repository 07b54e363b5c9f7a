/* An example custom op library (ember.h, "Custom operators"), built by tests/runtime/test_custom_ops.py into
 * a shared library:
 *
 *   cc -std=c99 -shared -fPIC -I edge_runtime/include scale_shift_op.c -o libscale_shift.so
 *
 * "EmberScaleShift": y = a * x + b * w for float32 tensors x, w and y of one shape, with a and b the two
 * little-endian float32 values of the operator's custom_options (8 bytes). prepare checks all of it and keeps
 * a, b and the element count in its op data; eval goes through the scratch block to use every hook.
 * ember_register_custom_ops registers it; ember_register_negating_relu also replaces the builtin RELU with
 * y = -x, and ember_register_broken fails as a registerer should. The ember_ functions come from the program
 * that loads the library. */
#include <stdint.h>
#include <string.h>

#include "ember.h"

typedef struct scale_shift {
    float a, b;
    size_t count;
} scale_shift;

static ember_status scale_shift_prepare(ember_op_context *op) {
    ember_tensor_info x, w, y;
    scale_shift *data = (scale_shift *)ember_op_data(op);
    const uint8_t *options;
    size_t bytes;
    int32_t d;
    if (ember_op_input_count(op) != 2 || ember_op_output_count(op) != 1)
        return ember_op_fail(op, EMBER_INVALID_MODEL, "needs 2 inputs and 1 output, has %d and %d",
                             (int)ember_op_input_count(op), (int)ember_op_output_count(op));
    if (ember_op_input(op, 0, &x) != EMBER_OK || ember_op_input(op, 1, &w) != EMBER_OK ||
        ember_op_output(op, 0, &y) != EMBER_OK)
        return EMBER_INVALID_MODEL;
    if (x.type != EMBER_FLOAT32 || w.type != EMBER_FLOAT32 || y.type != EMBER_FLOAT32)
        return ember_op_fail(op, EMBER_UNSUPPORTED, "x, w and y must be float32, got %s, %s and %s",
                             ember_type_name(x.type), ember_type_name(w.type), ember_type_name(y.type));
    if (x.rank != w.rank || x.rank != y.rank)
        return ember_op_fail(op, EMBER_INVALID_MODEL, "x, w and y must have one shape");
    for (d = 0; d < x.rank; ++d) {
        if (x.dims[d] != w.dims[d] || x.dims[d] != y.dims[d])
            return ember_op_fail(op, EMBER_INVALID_MODEL, "x, w and y must have one shape");
    }
    options = ember_op_custom_options(op, &bytes);
    if (bytes != 8)
        return ember_op_fail(op, EMBER_INVALID_MODEL, "custom_options must be 8 bytes (two float32), got %lu",
                             (unsigned long)bytes);
    memcpy(&data->a, options, 4);
    memcpy(&data->b, options + 4, 4);
    data->count = x.bytes / 4;
    return EMBER_OK;
}

static size_t scale_shift_scratch(ember_op_context *op) {
    ember_tensor_info y;
    return ember_op_output(op, 0, &y) == EMBER_OK ? y.bytes : 0;
}

static ember_status scale_shift_eval(ember_op_context *op) {
    const scale_shift *data = (const scale_shift *)ember_op_data(op);
    float *scratch = (float *)ember_op_scratch(op);
    ember_tensor_info x, w, y;
    size_t i;
    if (ember_op_input(op, 0, &x) != EMBER_OK || ember_op_input(op, 1, &w) != EMBER_OK ||
        ember_op_output(op, 0, &y) != EMBER_OK)
        return EMBER_RUNTIME_ERROR;
    if (data->count && !scratch)
        return ember_op_fail(op, EMBER_RUNTIME_ERROR, "no scratch");
    for (i = 0; i < data->count; ++i)
        scratch[i] = data->a * ((const float *)x.data)[i] + data->b * ((const float *)w.data)[i];
    if (data->count)
        memcpy(y.data, scratch, data->count * 4);
    return EMBER_OK;
}

static ember_status negate_eval(ember_op_context *op) {
    ember_tensor_info x, y;
    size_t i;
    if (ember_op_input(op, 0, &x) != EMBER_OK || ember_op_output(op, 0, &y) != EMBER_OK)
        return EMBER_RUNTIME_ERROR;
    if (x.type != EMBER_FLOAT32 || y.bytes != x.bytes)
        return ember_op_fail(op, EMBER_UNSUPPORTED, "takes float32 only");
    for (i = 0; i < x.bytes / 4; ++i)
        ((float *)y.data)[i] = -((const float *)x.data)[i];
    return EMBER_OK;
}

ember_status ember_register_custom_ops(ember_op_resolver *resolver);
ember_status ember_register_negating_relu(ember_op_resolver *resolver);
ember_status ember_register_broken(ember_op_resolver *resolver);

ember_status ember_register_custom_ops(ember_op_resolver *resolver) {
    static const ember_custom_kernel kernel = {
        scale_shift_prepare, scale_shift_eval, sizeof(scale_shift), NULL, scale_shift_scratch, 1, NULL};
    return ember_op_resolver_add_custom(resolver, "EmberScaleShift", &kernel);
}

ember_status ember_register_negating_relu(ember_op_resolver *resolver) {
    static const ember_custom_kernel kernel = {NULL, negate_eval, 0, NULL, NULL, 0, NULL};
    return ember_op_resolver_add_builtin(resolver, 19 /* RELU */, &kernel);
}

ember_status ember_register_broken(ember_op_resolver *resolver) {
    static const ember_custom_kernel no_eval = {NULL, NULL, 0, NULL, NULL, 0, NULL};
    return ember_op_resolver_add_custom(resolver, "EmberBroken", &no_eval);
}
