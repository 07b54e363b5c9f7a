/* ASSIGN_VARIABLE, as TFLite's assign_variable.cc: copies its value (input 1) into the resource variable its
 * input 0 names. Unlike LiteRT, which reallocates a variable to each value it is given, the variable's type
 * and shape are fixed at create (ember_load_variables: every assignment agrees) and its bytes reserved at
 * allocate; prepare checks the value again, since a resize may have changed its shape. */
#include <string.h>

#include "kernels/kernels.h"
#include "tflite_schema.h"

typedef struct assign_data {
    uint8_t *slot; /* the variable's flag and value (the owner VAR_HANDLE's op data) */
} assign_data;

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    const ember_variable *v = ember_node_variable(ctx, node, NULL);
    const ember_tensor *value = ember_node_input(ctx, node, 1);
    char name[96], a[96];
    int32_t d;
    int same = value->rank == v->rank;
    for (d = 0; same && d < v->rank; ++d)
        same = value->dims[d] == v->dims[d];
    EMBER_CHECK(
        ctx, same && value->bytes == v->bytes, EMBER_UNSUPPORTED,
        "ASSIGN_VARIABLE %ld (subgraph %ld): value '%.48s' is now %s, but variable %s keeps the shape the "
        "file gives it; a resize that changes a variable's shape is not supported",
        (long)node->index, (long)node->subgraph, value->name, ember_shape_string(value, a, sizeof a),
        ember_variable_name(v, name, sizeof name));
    ((assign_data *)node->op_data)->slot = ember_variable_slot(ctx, v);
    return EMBER_OK;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    uint8_t *slot = ((const assign_data *)node->op_data)->slot;
    const ember_tensor *value = ember_node_input(ctx, node, 1);
    if (value->bytes)
        memcpy(slot + EMBER_VARIABLE_VALUE_OFFSET, value->data, value->bytes);
    *(int32_t *)(void *)slot = 1;
    return EMBER_OK;
}

/* A variable may hold any type the runtime stores. */
const ember_kernel ember_kernel_assign_variable = {
    TFL_OP_ASSIGN_VARIABLE,
    "ASSIGN_VARIABLE",
    1,
    0,
    sizeof(assign_data),
    prepare,
    eval,
    NULL,
    NULL,
    EMBER_T_CHECKED | EMBER_T_I32 | EMBER_T_I64 | EMBER_T_RESOURCE,
};
