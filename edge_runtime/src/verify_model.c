/* Loader and strict verifier of TFLite flatbuffers.
 *
 * Walks every part of the model the runtime can reach (and the small metadata tables it does not use), checks
 * each access with the bounds-checked reader, then checks the model's meaning: types, shapes against constant
 * data, indices, operator codes and versions, quantisation vectors. Only then are tensors and nodes filled
 * in. Any failure leaves a message naming the part of the model at fault. This file is the model side
 * (operator codes, operators, metadata, the subgraph's lists); verify_tensors.c the tensor side. */
#include <stdlib.h>
#include <string.h>

#include "tflite_schema.h"
#include "verify.h"

/* ---- operator codes ---- */

typedef struct opcode_info {
    int32_t code;
    int32_t version;
    const char *custom_code;
} opcode_info;

static ember_status read_opcode(loader *l, uint32_t index, opcode_info *info) {
    fb_table t;
    int8_t deprecated;
    int32_t builtin;
    FB_CHECK(l, fb_vector_table(l->r, &l->opcodes, index, &t), "operator code %lu", (unsigned long)index);
    FB_CHECK(l, fb_get_i8(l->r, &t, TFL_OPCODE_DEPRECATED_BUILTIN_CODE, 0, &deprecated),
             "operator code %lu: field deprecated_builtin_code", (unsigned long)index);
    FB_CHECK(l, fb_get_i32(l->r, &t, TFL_OPCODE_BUILTIN_CODE, 0, &builtin),
             "operator code %lu: field builtin_code", (unsigned long)index);
    FB_CHECK(l, fb_get_i32(l->r, &t, TFL_OPCODE_VERSION, 1, &info->version),
             "operator code %lu: field version", (unsigned long)index);
    FB_CHECK(l, fb_get_string(l->r, &t, TFL_OPCODE_CUSTOM_CODE, &info->custom_code),
             "operator code %lu: field custom_code", (unsigned long)index);
    /* Old files only set the int8 field, new ones set builtin_code and put 127
     * (PLACEHOLDER_FOR_GREATER_OP_CODES) or the same value in the int8 field; the larger of the two is the
     * real code in both cases (as in TFLite's GetBuiltinCode). */
    info->code = builtin > deprecated ? builtin : deprecated;
    return EMBER_OK;
}

/* ---- operators ---- */

/* Verifies an int32 tensor-index vector of operator `op` (kernel `node`) and copies it to dst. Index -1
 * (TFLite's kTfLiteOptionalTensor) is allowed where bit i of `optional` is set. */
static ember_status load_index_list(loader *l, const fb_vector *v, const ember_node *node, int32_t op,
                                    const char *what, uint64_t optional, int32_t *dst) {
    uint32_t i;
    for (i = 0; i < v->len; ++i) {
        int32_t index = fb_vector_i32(l->r, v, i);
        EMBER_CHECK(l->ctx, index != -1 || (i < 64 && ((optional >> i) & 1)), EMBER_INVALID_MODEL,
                    "%s %ld: %s %lu is omitted (-1) but required; give it a tensor", node->kernel->name,
                    (long)op, what, (unsigned long)i);
        OP_CHECK(l, index >= -1 && (index < 0 || (uint32_t)index < l->tensors.len), EMBER_INVALID_MODEL,
                 "%s %lu is tensor %ld, outside [0, %lu)", what, (unsigned long)i, (long)index,
                 (unsigned long)l->tensors.len);
        dst[i] = index < 0 ? -1 : l->tensor_base + index;
    }
    return EMBER_OK;
}

/* The inputs a builtin op may omit (bit i: input i), as TFLite's kernels do: the bias of CONV_2D,
 * DEPTHWISE_CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV, RESHAPE's shape (then read from its options), and
 * the LSTMs' optional weights (their prepare checks which combinations are valid).
 * Every other input is one the kernel needs, so an omitted one is refused here, once for all kernels. */
static uint64_t optional_inputs(int32_t code) {
    switch (code) {
    case TFL_OP_CONV_2D:
    case TFL_OP_DEPTHWISE_CONV_2D:
    case TFL_OP_FULLY_CONNECTED:
        return 1u << 2;
    case TFL_OP_RESHAPE:
        return 1u << 1;
    case TFL_OP_TRANSPOSE_CONV:
        return 1u << 3;
    case 44: /* UNIDIRECTIONAL_SEQUENCE_LSTM: CIFG, peephole, projection, layer-norm inputs (its prepare) */
        return 0xf31e22u;
    case 52: /* BIDIRECTIONAL_SEQUENCE_LSTM: those of each direction (1-17, 18-34), the aux input (39-47) */
        return 0x31e22u | (uint64_t)0x31e22u << 17 | (uint64_t)0x1ffu << 39;
    default:
        return 0;
    }
}

/* Reads the vectors of operator `op`; used once to count and once to load. */
static ember_status operator_vectors(loader *l, uint32_t op, fb_table *t, fb_vector *inputs,
                                     fb_vector *outputs, fb_vector *custom_options) {
    fb_vector unused;
    fb_table options2;
    int present;
    l->op = op;
    FB_CHECK(l, fb_vector_table(l->r, &l->operators, op, t), "operator %lu", (unsigned long)op);
    OP_FB_CHECK(l, fb_get_vector(l->r, t, TFL_OP_INPUTS, 4, inputs), "field inputs");
    OP_FB_CHECK(l, fb_get_vector(l->r, t, TFL_OP_OUTPUTS, 4, outputs), "field outputs");
    /* Fields the runtime does not use are still verified: nothing in the file escapes the checks. */
    OP_FB_CHECK(l, fb_get_vector(l->r, t, TFL_OP_CUSTOM_OPTIONS, 1, custom_options), "field custom_options");
    OP_FB_CHECK(l, fb_get_vector(l->r, t, TFL_OP_MUTATING_VARIABLE_INPUTS, 1, &unused),
                "field mutating_variable_inputs");
    OP_FB_CHECK(l, fb_get_vector(l->r, t, TFL_OP_INTERMEDIATES, 4, &unused), "field intermediates");
    OP_FB_CHECK(l, fb_get_table(l->r, t, TFL_OP_BUILTIN_OPTIONS_2, &options2, &present),
                "field builtin_options_2");
    return EMBER_OK;
}

/* Refuses a tensor whose type the node's kernel does not compute on (ember_kernel.types), so that kernels
 * written before a type existed never read its bytes as another type's. */
static ember_status check_node_types(ember_interpreter *ctx, const ember_node *node) {
    int32_t i;
    for (i = 0; i < node->input_count + node->output_count; ++i) {
        int32_t index = node->inputs[i]; /* the outputs follow the inputs in the node's index list */
        const ember_tensor *t = &ctx->tensors[index < 0 ? 0 : index];
        uint32_t bit = index < 0 ? 0 : 1u << t->type;
        EMBER_CHECK(ctx, !(bit & EMBER_T_CHECKED) || (bit & node->kernel->types), EMBER_UNSUPPORTED,
                    "%s %ld: tensor '%.64s' is %s, a type this kernel does not take", node->kernel->name,
                    (long)node->index, t->name, ember_type_name(t->type));
    }
    return EMBER_OK;
}

/* Messages name operator l->op through the OP_ checks' prefix (operator_vectors sets it). */
static ember_status load_operator(loader *l, uint32_t op, ember_node *node, int32_t **io) {
    ember_interpreter *ctx = l->ctx;
    fb_table t;
    fb_vector inputs, outputs;
    uint32_t opcode_index;
    uint8_t options_type;
    opcode_info info;
    fb_vector custom_options;

    EMBER_TRY(operator_vectors(l, op, &t, &inputs, &outputs, &custom_options));
    OP_FB_CHECK(l, fb_get_u32(l->r, &t, TFL_OP_OPCODE_INDEX, 0, &opcode_index), "field opcode_index");
    OP_FB_CHECK(l, fb_get_u8(l->r, &t, TFL_OP_BUILTIN_OPTIONS_TYPE, 0, &options_type),
                "field builtin_options_type");
    OP_FB_CHECK(l, fb_get_table(l->r, &t, TFL_OP_BUILTIN_OPTIONS, &node->options, &node->has_options),
                "field builtin_options");
    OP_CHECK(l, opcode_index < l->opcodes.len, EMBER_INVALID_MODEL,
             "opcode_index %lu is out of range (the model has %lu operator codes)",
             (unsigned long)opcode_index, (unsigned long)l->opcodes.len);
    EMBER_TRY(read_opcode(l, opcode_index, &info));
    EMBER_TRY(ember_resolve_operator(ctx, op, info.code, info.custom_code, &node->kernel));
    node->custom_options = custom_options.len ? l->r->data + custom_options.pos : NULL;
    node->custom_options_bytes = custom_options.len;
    EMBER_CHECK(ctx, info.version >= 1 && info.version <= node->kernel->max_version, EMBER_UNSUPPORTED,
                "operator %lu (%s): version %ld is not supported (this runtime implements versions 1 to %ld)",
                (unsigned long)op, node->kernel->name, (long)info.version, (long)node->kernel->max_version);
    /* A union value of another type would be read with the wrong field layout. */
    EMBER_CHECK(ctx, !node->has_options || options_type == node->kernel->options_type, EMBER_INVALID_MODEL,
                "operator %lu (%s): builtin_options_type is %u, expected %u", (unsigned long)op,
                node->kernel->name, (unsigned)options_type, (unsigned)node->kernel->options_type);
    node->index = (int32_t)op;
    node->subgraph = (int32_t)l->subgraph;
    node->version = info.version;
    node->input_count = (int32_t)inputs.len;
    node->output_count = (int32_t)outputs.len;
    EMBER_TRY(load_index_list(l, &inputs, node, (int32_t)op, "input", optional_inputs(info.code), *io));
    node->inputs = *io;
    *io += inputs.len;
    EMBER_TRY(load_index_list(l, &outputs, node, (int32_t)op, "output", 0, *io));
    node->outputs = *io;
    *io += outputs.len;
    return check_node_types(l->ctx, node);
}

/* ---- model ---- */

/* Tables the runtime never reads, verified so that a model is accepted only if all of it is well-formed. */
static ember_status verify_metadata(loader *l, const fb_table *model) {
    fb_vector v;
    fb_table t;
    const char *text;
    uint32_t i, value;
    FB_CHECK(l, fb_get_string(l->r, model, TFL_MODEL_DESCRIPTION, &text), "model description");
    FB_CHECK(l, fb_get_vector(l->r, model, TFL_MODEL_METADATA_BUFFER, 4, &v), "model metadata_buffer");
    FB_CHECK(l, fb_get_vector(l->r, model, TFL_MODEL_METADATA, 4, &v), "model metadata");
    for (i = 0; i < v.len; ++i) {
        FB_CHECK(l, fb_vector_table(l->r, &v, i, &t), "metadata %lu", (unsigned long)i);
        FB_CHECK(l, fb_get_string(l->r, &t, TFL_METADATA_NAME, &text), "metadata %lu: field name",
                 (unsigned long)i);
        FB_CHECK(l, fb_get_u32(l->r, &t, TFL_METADATA_BUFFER, 0, &value), "metadata %lu: field buffer",
                 (unsigned long)i);
        EMBER_CHECK(l->ctx, value < l->buffers.len, EMBER_INVALID_MODEL,
                    "metadata %lu ('%.64s'): buffer index %lu is out of range (the model has %lu buffers)",
                    (unsigned long)i, text ? text : "", (unsigned long)value, (unsigned long)l->buffers.len);
        if (text && strcmp(text, "OfflineMemoryAllocation") == 0)
            l->offline_plan_buffer = value;
    }
    return EMBER_OK;
}

static ember_status load_graph_io(loader *l, const fb_vector *v, const char *what, int32_t *dst) {
    uint32_t i;
    for (i = 0; i < v->len; ++i) {
        int32_t index = fb_vector_i32(l->r, v, i);
        EMBER_CHECK(l->ctx, index >= 0 && (uint32_t)index < l->tensors.len, EMBER_INVALID_MODEL,
                    "subgraph %lu %s %lu is tensor %ld, outside [0, %lu)", (unsigned long)l->subgraph, what,
                    (unsigned long)i, (long)index, (unsigned long)l->tensors.len);
        dst[i] = l->tensor_base + index;
    }
    return EMBER_OK;
}

/* The vectors of subgraph `index` into l (tensors, operators) and inputs/outputs. */
static ember_status subgraph_vectors(loader *l, const fb_vector *subgraphs, uint32_t index, fb_vector *inputs,
                                     fb_vector *outputs, const char **name) {
    fb_table subgraph;
    l->subgraph = index;
    FB_CHECK(l, fb_vector_table(l->r, subgraphs, index, &subgraph), "subgraph %lu", (unsigned long)index);
    /* One message for the five fields: the reader's reason and byte position say which failed. */
    FB_CHECK(l,
             fb_get_vector(l->r, &subgraph, TFL_SUBGRAPH_TENSORS, 4, &l->tensors) &&
                 fb_get_vector(l->r, &subgraph, TFL_SUBGRAPH_INPUTS, 4, inputs) &&
                 fb_get_vector(l->r, &subgraph, TFL_SUBGRAPH_OUTPUTS, 4, outputs) &&
                 fb_get_vector(l->r, &subgraph, TFL_SUBGRAPH_OPERATORS, 4, &l->operators) &&
                 fb_get_string(l->r, &subgraph, TFL_SUBGRAPH_NAME, name),
             "subgraph %lu tensors, inputs, outputs, operators or name", (unsigned long)index);
    return EMBER_OK;
}

/* Counts, then verifies and loads every subgraph: its tensors, graph inputs and outputs, and operators. */
static ember_status load_subgraphs(loader *l, const fb_vector *subgraphs) {
    ember_interpreter *ctx = l->ctx;
    fb_reader *r = l->r;
    fb_vector inputs, outputs, op_in, op_out, op_custom;
    fb_table t;
    const char *name;
    uint64_t io_total = 0, tensor_total = 0, node_total = 0;
    uint32_t s, i;
    int32_t *io;

    for (s = 0; s < subgraphs->len; ++s) {
        EMBER_TRY(subgraph_vectors(l, subgraphs, s, &inputs, &outputs, &name));
        tensor_total += l->tensors.len;
        node_total += l->operators.len;
        io_total += (uint64_t)inputs.len + outputs.len;
        for (i = 0; i < l->operators.len; ++i) {
            EMBER_TRY(operator_vectors(l, i, &t, &op_in, &op_out, &op_custom));
            io_total += (uint64_t)op_in.len + op_out.len;
        }
    }
    /* Distinct vectors need 4 bytes an entry; more entries means vectors shared between operators or
     * subgraphs, which no converter writes and which could make a small file claim huge tables. */
    EMBER_CHECK(ctx,
                io_total <= r->size / 4 && tensor_total + node_total <= r->size / 4 &&
                    tensor_total + node_total <= INT32_MAX,
                EMBER_INVALID_MODEL,
                "%llu tensors, %llu operators and %llu tensor indices do not fit a %lu-byte file",
                (unsigned long long)tensor_total, (unsigned long long)node_total,
                (unsigned long long)io_total, (unsigned long)r->size);
    ctx->tensor_count = (int32_t)tensor_total;
    ctx->node_count = (int32_t)node_total;
    ctx->subgraph_count = (int32_t)subgraphs->len;
    ctx->subgraphs = (ember_subgraph *)calloc(subgraphs->len, sizeof(ember_subgraph));
    ctx->tensors = (ember_tensor *)calloc(tensor_total ? (size_t)tensor_total : 1, sizeof(ember_tensor));
    ctx->nodes = (ember_node *)calloc(node_total ? (size_t)node_total : 1, sizeof(ember_node));
    ctx->io_indices = (int32_t *)calloc(io_total ? (size_t)io_total : 1, sizeof(int32_t));
    EMBER_CHECK(ctx, ctx->subgraphs && ctx->tensors && ctx->nodes && ctx->io_indices, EMBER_OUT_OF_MEMORY,
                "cannot allocate the tables of %llu tensors", (unsigned long long)tensor_total);
    io = ctx->io_indices;
    tensor_total = node_total = 0;
    for (s = 0; s < subgraphs->len; ++s) {
        ember_subgraph *sg = &ctx->subgraphs[s];
        EMBER_TRY(subgraph_vectors(l, subgraphs, s, &inputs, &outputs, &name));
        /* A called subgraph may have none (CALL_ONCE's initialiser works through variables). */
        EMBER_CHECK(ctx, outputs.len >= 1 || s > 0, EMBER_INVALID_MODEL, "subgraph 0 has no outputs");
        sg->name = name ? name : "";
        sg->tensor_base = l->tensor_base = (int32_t)tensor_total;
        sg->tensor_count = (int32_t)l->tensors.len;
        sg->node_base = (int32_t)node_total;
        sg->node_count = (int32_t)l->operators.len;
        for (i = 0; i < l->tensors.len; ++i)
            EMBER_TRY(ember_verify_tensor(l, (int32_t)i));
        if (s == 0)
            EMBER_TRY(ember_verify_offline_plan(l));
        EMBER_TRY(load_graph_io(l, &inputs, "input", io));
        sg->inputs = io;
        sg->input_count = (int32_t)inputs.len;
        io += inputs.len;
        EMBER_TRY(load_graph_io(l, &outputs, "output", io));
        sg->outputs = io;
        sg->output_count = (int32_t)outputs.len;
        io += outputs.len;
        for (i = 0; i < l->operators.len; ++i)
            EMBER_TRY(load_operator(l, i, &ctx->nodes[sg->node_base + (int32_t)i], &io));
        tensor_total += l->tensors.len;
        node_total += l->operators.len;
    }
    l->subgraph = 0;
    ctx->inputs = ctx->subgraphs[0].inputs;
    ctx->input_count = ctx->subgraphs[0].input_count;
    ctx->outputs = ctx->subgraphs[0].outputs;
    ctx->output_count = ctx->subgraphs[0].output_count;
    return EMBER_OK;
}

ember_status ember_load_model(ember_interpreter *ctx) {
    loader l;
    fb_reader *r = &ctx->model;
    fb_table model;
    fb_vector subgraphs;
    uint32_t version, i;

    memset(&l, 0, sizeof l);
    l.ctx = ctx;
    l.r = r;
    l.offline_plan_buffer = -1;
    EMBER_CHECK(ctx, r->size >= 8, EMBER_INVALID_MODEL, "model is %lu bytes, too short for a TFLite file",
                (unsigned long)r->size);
    EMBER_CHECK(ctx, memcmp(r->data + 4, TFL_FILE_IDENTIFIER, 4) == 0, EMBER_INVALID_MODEL,
                "not a TFLite model: file identifier is %02x %02x %02x %02x, expected \"TFL3\"", r->data[4],
                r->data[5], r->data[6], r->data[7]);
    FB_CHECK(&l, fb_root(r, &model), "model root table");
    FB_CHECK(&l, fb_get_u32(r, &model, TFL_MODEL_VERSION, 0, &version), "model version");
    EMBER_CHECK(ctx, version == TFL_SCHEMA_VERSION, EMBER_UNSUPPORTED,
                "model schema version is %lu, this runtime reads version %d", (unsigned long)version,
                TFL_SCHEMA_VERSION);

    FB_CHECK(&l, fb_get_vector(r, &model, TFL_MODEL_OPERATOR_CODES, 4, &l.opcodes), "model operator_codes");
    for (i = 0; i < l.opcodes.len; ++i) {
        opcode_info info;
        EMBER_TRY(read_opcode(&l, i, &info));
    }
    FB_CHECK(&l, fb_get_vector(r, &model, TFL_MODEL_BUFFERS, 4, &l.buffers), "model buffers");
    for (i = 0; i < l.buffers.len; ++i) {
        const uint8_t *data;
        size_t size;
        EMBER_TRY(ember_verify_buffer(&l, i, &data, &size));
    }

    FB_CHECK(&l, fb_get_vector(r, &model, TFL_MODEL_SUBGRAPHS, 4, &subgraphs), "model subgraphs");
    EMBER_CHECK(ctx, subgraphs.len >= 1, EMBER_INVALID_MODEL, "model has no subgraph");
    EMBER_TRY(verify_metadata(&l, &model));
    EMBER_TRY(load_subgraphs(&l, &subgraphs));
    EMBER_TRY(ember_verify_calls(ctx));
    EMBER_TRY(ember_load_signatures(&l, &model));
    return ember_fold_constants(ctx); /* shapes propagated first */
}
