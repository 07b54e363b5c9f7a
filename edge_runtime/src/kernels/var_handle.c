/* VAR_HANDLE, as TFLite's var_handle.cc: writes the id of the resource variable its options name (container,
 * shared_name; ember_load_variables numbered them as LiteRT does) into its resource output. The first
 * VAR_HANDLE of a variable also holds the variable's value in its op data (ember_internal.h: a flag, then the
 * value), so the arena has every variable's bytes from allocate on. */
#include "kernels/kernels.h"
#include "tflite_schema.h"

static size_t op_data_bytes(const ember_interpreter *ctx, const ember_node *node) {
    const ember_variable *v = ember_node_variable(ctx, node, NULL);
    return v && &ctx->nodes[v->owner] == node ? EMBER_VARIABLE_VALUE_OFFSET + v->bytes : 0;
}

/* ember_load_variables checked the node at create (no inputs, one resource output). */
static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    (void)ctx;
    (void)node;
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    int32_t id;
    ember_node_variable(ctx, node, &id);
    *(int32_t *)ember_node_output(ctx, node, 0)->data = id;
    return EMBER_OK;
}

const ember_kernel ember_kernel_var_handle = {
    TFL_OP_VAR_HANDLE, "VAR_HANDLE", 1, TFL_OPTIONS_VAR_HANDLE, 0, prepare, eval, op_data_bytes, NULL,
    EMBER_T_RESOURCE,
};
