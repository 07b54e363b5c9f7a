/* READ_VARIABLE, as TFLite's read_variable.cc: copies the value of the resource variable its input names
 * into its output. ember_load_variables resolved the variable at create and checked that the output has its
 * type and shape; reading a variable no ASSIGN_VARIABLE has set yet is an error at invoke, as in LiteRT. */
#include <string.h>

#include "kernels/kernels.h"
#include "tflite_schema.h"

typedef struct read_data {
    uint8_t *slot; /* the variable's flag and value (the owner VAR_HANDLE's op data) */
} read_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    const ember_variable *v = ember_node_variable(ctx, node, NULL);
    const ember_tensor *out = ember_node_output(ctx, node, 0);
    char name[96];
    /* A resize cannot change the output (no shape rule reaches it), but the check is cheap. */
    EMBER_CHECK(ctx, out->bytes == v->bytes, EMBER_UNSUPPORTED,
                "READ_VARIABLE %ld (subgraph %ld): output '%.48s' holds %lu bytes, variable %s %lu",
                (long)node->index, (long)node->subgraph, out->name, (unsigned long)out->bytes,
                ember_variable_name(v, name, sizeof name), (unsigned long)v->bytes);
    ((read_data *)node->op_data)->slot = ember_variable_slot(ctx, v);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const uint8_t *slot = ((const read_data *)node->op_data)->slot;
    const ember_tensor *out = ember_node_output(ctx, node, 0);
    if (!*(const int32_t *)(const void *)slot) {
        char name[96];
        return ember_fail(
            ctx, EMBER_RUNTIME_ERROR,
            "READ_VARIABLE %ld (subgraph %ld): variable %s is read before any ASSIGN_VARIABLE set "
            "it (its initialiser, usually run by CALL_ONCE, has not run)",
            (long)node->index, (long)node->subgraph,
            ember_variable_name(ember_node_variable(ctx, node, NULL), name, sizeof name));
    }
    if (out->bytes)
        memcpy(out->data, slot + EMBER_VARIABLE_VALUE_OFFSET, out->bytes);
    return EMBER_OK;
}

/* A variable may hold any type the runtime stores. */
const ember_kernel ember_kernel_read_variable = {
    TFL_OP_READ_VARIABLE,
    "READ_VARIABLE",
    1,
    0,
    sizeof(read_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_CHECKED | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_RESOURCE,
};
