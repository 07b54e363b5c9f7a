/* The verifier's tensor side (verify.h): buffers, tensors (types, shapes against constant data), quantisation
 * parameters and the offline memory plan. Called by verify_model.c; calls nothing of it. */
#include "tflite_schema.h"
#include "verify.h"

/* ---- buffers ---- */

/* Data of buffer `index`: inside the flatbuffer's `data` vector or, for models over 2 GB, at offset/size
 * relative to the start of the file (which is the caller's buffer). */
ember_status ember_verify_buffer(loader *l, uint32_t index, const uint8_t **data, size_t *size) {
    fb_table t;
    fb_vector v;
    uint64_t offset, length;
    FB_CHECK(l, fb_vector_table(l->r, &l->buffers, index, &t), "buffer %lu", (unsigned long)index);
    FB_CHECK(l, fb_get_vector(l->r, &t, TFL_BUFFER_DATA, 1, &v), "buffer %lu: field data",
             (unsigned long)index);
    FB_CHECK(l, fb_get_u64(l->r, &t, TFL_BUFFER_OFFSET, 0, &offset), "buffer %lu: field offset",
             (unsigned long)index);
    FB_CHECK(l, fb_get_u64(l->r, &t, TFL_BUFFER_SIZE, 0, &length), "buffer %lu: field size",
             (unsigned long)index);
    /* TFLite treats offset 0 and 1 as "not set" (1 is the placeholder the converter writes first). */
    if (offset > 1 && length > 0) {
        EMBER_CHECK(l->ctx, offset <= l->r->size && length <= l->r->size - offset, EMBER_INVALID_MODEL,
                    "buffer %lu: external data [%llu, +%llu) lies outside the %lu-byte model",
                    (unsigned long)index, (unsigned long long)offset, (unsigned long long)length,
                    (unsigned long)l->r->size);
        *data = l->r->data + offset;
        *size = (size_t)length;
    } else {
        *data = v.len ? l->r->data + v.pos : NULL;
        *size = v.len;
    }
    return EMBER_OK;
}

/* ---- tensors ---- */

/* Messages below name tensor l->tensor through the TENSOR_ checks' prefix. */
static ember_status load_quantization(loader *l, const fb_table *tensor) {
    ember_tensor *t = &l->ctx->tensors[l->tensor_base + l->tensor];
    fb_table q;
    fb_vector scale, zero_point, min, max;
    int present;
    uint8_t details_type;
    TENSOR_FB_CHECK(l, fb_get_table(l->r, tensor, TFL_TENSOR_QUANTIZATION, &q, &present),
                    "field quantization");
    if (!present)
        return EMBER_OK;
    TENSOR_FB_CHECK(
        l, fb_get_vector(l->r, &q, TFL_QUANT_MIN, 4, &min) && fb_get_vector(l->r, &q, TFL_QUANT_MAX, 4, &max),
        "quantization min/max");
    TENSOR_FB_CHECK(l, fb_get_vector(l->r, &q, TFL_QUANT_SCALE, 4, &scale), "quantization scale");
    TENSOR_FB_CHECK(l, fb_get_vector(l->r, &q, TFL_QUANT_ZERO_POINT, 8, &zero_point),
                    "quantization zero_point");
    TENSOR_FB_CHECK(l, fb_get_u8(l->r, &q, TFL_QUANT_DETAILS_TYPE, 0, &details_type),
                    "quantization details_type");
    TENSOR_FB_CHECK(l, fb_get_i32(l->r, &q, TFL_QUANT_QUANTIZED_DIMENSION, 0, &t->quantized_dimension),
                    "quantization quantized_dimension");
    TENSOR_CHECK(l, details_type == 0, EMBER_UNSUPPORTED, "custom quantization details are not supported");
    if (scale.len == 0 && zero_point.len == 0)
        return EMBER_OK;
    TENSOR_CHECK(l, scale.len == zero_point.len, EMBER_INVALID_MODEL,
                 "%lu quantization scales but %lu zero points (counts must match)", (unsigned long)scale.len,
                 (unsigned long)zero_point.len);
    if (scale.len > 1) {
        int32_t qd = t->quantized_dimension;
        TENSOR_CHECK(l, qd >= 0 && qd < t->rank, EMBER_INVALID_MODEL,
                     "quantized_dimension %ld is outside its rank %ld", (long)qd, (long)t->rank);
        TENSOR_CHECK(l, (uint32_t)t->dims[qd] == scale.len, EMBER_INVALID_MODEL,
                     "%lu per-channel scales but dimension %ld has %ld channels", (unsigned long)scale.len,
                     (long)qd, (long)t->dims[qd]);
    }
    t->quant_count = (int32_t)scale.len;
    t->scales_pos = scale.pos;
    t->zero_points_pos = zero_point.pos;
    return EMBER_OK;
}

ember_status ember_verify_tensor(loader *l, int32_t index) {
    ember_interpreter *ctx = l->ctx;
    ember_tensor *t = &ctx->tensors[l->tensor_base + index];
    fb_table tt, sparsity;
    fb_vector shape, signature;
    int8_t type;
    uint8_t is_variable;
    uint32_t buffer;
    int present;
    uint64_t span;
    int empty = 0;
    size_t elem_size;
    const uint8_t *data;
    size_t data_size;
    int32_t d;
    char shape_text[96];

    l->tensor = index;
    FB_CHECK(l, fb_vector_table(l->r, &l->tensors, (uint32_t)index, &tt), "tensor %ld", (long)index);
    FB_CHECK(l, fb_get_string(l->r, &tt, TFL_TENSOR_NAME, &t->name), "tensor %ld: field name", (long)index);
    if (!t->name)
        t->name = "";
    TENSOR_FB_CHECK(l, fb_get_vector(l->r, &tt, TFL_TENSOR_SHAPE, 4, &shape), "field shape");
    TENSOR_FB_CHECK(l, fb_get_vector(l->r, &tt, TFL_TENSOR_SHAPE_SIGNATURE, 4, &signature),
                    "field shape_signature");
    TENSOR_FB_CHECK(l, fb_get_i8(l->r, &tt, TFL_TENSOR_TYPE, 0, &type), "field type");
    TENSOR_FB_CHECK(l, fb_get_u32(l->r, &tt, TFL_TENSOR_BUFFER, 0, &buffer), "field buffer");
    TENSOR_FB_CHECK(l, fb_get_u8(l->r, &tt, TFL_TENSOR_IS_VARIABLE, 0, &is_variable), "field is_variable");
    TENSOR_FB_CHECK(l, fb_get_table(l->r, &tt, TFL_TENSOR_SPARSITY, &sparsity, &present), "field sparsity");

    elem_size = ember_type_size(type);
    TENSOR_CHECK(l, elem_size != 0, EMBER_UNSUPPORTED, "type %s (%d) is not supported",
                 ember_type_name((ember_type)type), (int)type);
    t->type = (ember_type)type;
    TENSOR_CHECK(l, shape.len <= EMBER_MAX_DIMS, EMBER_UNSUPPORTED,
                 "rank %lu exceeds the supported maximum %d", (unsigned long)shape.len, EMBER_MAX_DIMS);
    t->rank = (int32_t)shape.len;
    /* The bytes of the non-zero dims, even when a zero dim makes the tensor empty: kernels compute strides
     * and partial products over them, so they are bounded as a whole (EMBER_MAX_TENSOR_SPAN), checked before
     * each multiplication so nothing wraps. */
    span = elem_size;
    for (d = 0; d < t->rank; ++d) {
        t->dims[d] = fb_vector_i32(l->r, &shape, (uint32_t)d);
        TENSOR_CHECK(l, t->dims[d] >= 0, EMBER_INVALID_MODEL, "dimension %ld is %ld", (long)d,
                     (long)t->dims[d]);
        if (t->dims[d] == 0) {
            empty = 1;
            continue;
        }
        TENSOR_CHECK(l, span <= EMBER_MAX_TENSOR_SPAN / (uint64_t)t->dims[d], EMBER_UNSUPPORTED,
                     "shape %s: its non-zero dimensions span more than 2^62 bytes",
                     ember_shape_string(t, shape_text, sizeof shape_text));
        span *= (uint64_t)t->dims[d];
    }
    TENSOR_CHECK(l, empty || span <= EMBER_MAX_TENSOR_BYTES, EMBER_UNSUPPORTED,
                 "shape %s needs more than 2 GiB", ember_shape_string(t, shape_text, sizeof shape_text));
    t->bytes = empty ? 0 : (size_t)span;
    if (signature.len) {
        TENSOR_CHECK(l, signature.len == shape.len, EMBER_INVALID_MODEL,
                     "shape_signature has %lu entries but shape has %lu", (unsigned long)signature.len,
                     (unsigned long)shape.len);
    }
    t->has_signature = signature.len != 0;
    for (d = 0; d < t->rank; ++d) {
        t->dims_signature[d] = signature.len ? fb_vector_i32(l->r, &signature, (uint32_t)d) : t->dims[d];
        TENSOR_CHECK(l, t->dims_signature[d] >= -1, EMBER_INVALID_MODEL, "shape_signature entry %ld is %ld",
                     (long)d, (long)t->dims_signature[d]);
    }

    TENSOR_CHECK(l, buffer < l->buffers.len, EMBER_INVALID_MODEL,
                 "buffer index %lu is out of range (the model has %lu buffers)", (unsigned long)buffer,
                 (unsigned long)l->buffers.len);
    EMBER_TRY(ember_verify_buffer(l, buffer, &data, &data_size));
    if (present) {
        EMBER_TRY(ember_sparsity_load(ctx, t, &sparsity, data, data_size));
    } else {
        TENSOR_CHECK(l, data_size == 0 || data_size == t->bytes, EMBER_INVALID_MODEL,
                     "buffer %lu holds %lu bytes, shape %s %s needs %lu", (unsigned long)buffer,
                     (unsigned long)data_size, ember_shape_string(t, shape_text, sizeof shape_text),
                     ember_type_name(t->type), (unsigned long)t->bytes);
    }
    if (data_size > 0) {
        t->is_constant = 1;
        t->const_data = data;
        /* Constants are used in place; a misaligned one is copied into the arena by allocate_tensors. */
        t->data = (void *)(uintptr_t)data;
    }
    /* A variable tensor (LSTM and RNN state) keeps its bytes from one invoke to the next, so it is alive for
     * the whole subgraph (the planner shares none of its bytes); allocate zeroes it. */
    t->is_variable = is_variable != 0;
    t->first_op = is_variable ? 0 : -1;
    t->last_op = is_variable ? INT32_MAX : -1;
    return load_quantization(l, &tt);
}

/* ---- offline memory plan ---- */

/* TFLite Micro's layout: int32 [version 0, subgraph 0, tensor count, one arena offset per tensor], -1 letting
 * the runtime place that tensor. Offsets count from the start of the lifetime-shared tensor region; whether
 * placements collide is checked once lifetimes are known (planner.c). A plan that breaks these rules makes
 * the model invalid: a silent fallback would hide an exporter's bug. */
ember_status ember_verify_offline_plan(loader *l) {
    ember_interpreter *ctx = l->ctx;
    const uint8_t *data;
    size_t size, i;
    int32_t version, subgraph, count;
    if (l->offline_plan_buffer < 0)
        return EMBER_OK;
    EMBER_TRY(ember_verify_buffer(l, (uint32_t)l->offline_plan_buffer, &data, &size));
    PLAN_CHECK(l, size >= 12 && size % 4 == 0, EMBER_INVALID_MODEL, "%lu bytes, expected 12 + 4 per tensor",
               (unsigned long)size);
    version = fb_i32_at(data);
    subgraph = fb_i32_at(data + 4);
    count = fb_i32_at(data + 8);
    PLAN_CHECK(l, version == 0 && subgraph == 0, EMBER_UNSUPPORTED,
               "version %ld, subgraph %ld; only version 0 for subgraph 0 is "
               "supported",
               (long)version, (long)subgraph);
    PLAN_CHECK(l, count == ctx->subgraphs[0].tensor_count && size == 12 + 4 * (size_t)count,
               EMBER_INVALID_MODEL, "plans %ld tensors in %lu bytes, the subgraph has %ld tensors",
               (long)count, (unsigned long)size, (long)ctx->subgraphs[0].tensor_count);
    for (i = 0; i < (size_t)count; ++i) {
        const int32_t offset = fb_i32_at(data + 12 + 4 * i);
        PLAN_CHECK(l, offset >= -1, EMBER_INVALID_MODEL,
                   "tensor %lu ('%.64s') has offset %ld (-1 or >= 0 expected)", (unsigned long)i,
                   ctx->tensors[i].name, (long)offset);
    }
    ctx->offline_plan = data + 12;
    return EMBER_OK;
}
