#include "model_writer.h"

#include <string.h>

typedef struct writer {
    uint8_t *buf;
    size_t len, cap;
    int overflow;
} writer;

typedef struct field {
    int id;
    int size; /* 1, 4 or 8; offsets are 4 */
    uint64_t value;
    size_t pos; /* out: absolute position */
} field;

static void put(writer *w, const void *p, size_t n) {
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void pad_to(writer *w, size_t align) {
    static const uint8_t zeros[16] = {0};
    while (!w->overflow && w->len % align)
        put(w, zeros, 1);
}

static void put_le(writer *w, uint64_t v, int size) {
    uint8_t b[8];
    int i;
    for (i = 0; i < size; ++i)
        b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, (size_t)size);
}

static void set_le(writer *w, size_t pos, uint64_t v, int size) {
    int i;
    if (w->overflow)
        return;
    for (i = 0; i < size; ++i)
        w->buf[pos + i] = (uint8_t)(v >> (8 * i));
}

/* Points the offset field at `pos` to `target` (target > pos). */
static void patch(writer *w, size_t pos, size_t target) {
    set_le(w, pos, target - pos, 4);
}

/* vtable, then the table right after it; returns the table position. */
static size_t table(writer *w, field *f, int n) {
    int i, max_id = -1;
    size_t vt, tab, sizes_pos;
    for (i = 0; i < n; ++i)
        max_id = f[i].id > max_id ? f[i].id : max_id;
    pad_to(w, 2);
    vt = w->len;
    put_le(w, (uint64_t)(4 + 2 * (max_id + 1)), 2);
    sizes_pos = w->len;
    put_le(w, 0, 2);
    for (i = 0; i <= max_id; ++i)
        put_le(w, 0, 2);
    pad_to(w, 8);
    tab = w->len;
    put_le(w, (uint64_t)(uint32_t)(int32_t)(tab - vt), 4);
    for (i = 0; i < n; ++i) {
        pad_to(w, (size_t)f[i].size);
        f[i].pos = w->len;
        put_le(w, f[i].value, f[i].size);
        set_le(w, vt + 4 + 2 * (size_t)f[i].id, f[i].pos - tab, 2);
    }
    set_le(w, sizes_pos, w->len - tab, 2);
    return tab;
}

/* Vector of n elements; data aligned to `align` (>= 4). Returns the position of the length word. */
static size_t vector(writer *w, const void *data, uint32_t n, size_t elem_size, size_t align) {
    size_t at;
    pad_to(w, 4);
    while (!w->overflow && (w->len + 4) % align)
        put_le(w, 0, 1);
    at = w->len;
    put_le(w, n, 4);
    if (data)
        put(w, data, n * elem_size);
    else {
        size_t i;
        for (i = 0; i < n * elem_size; ++i)
            put_le(w, 0, 1);
    }
    return at;
}

static size_t string(writer *w, const char *s) {
    size_t at = vector(w, s, (uint32_t)strlen(s), 1, 4);
    put_le(w, 0, 1);
    return at;
}

static size_t i32_vector(writer *w, const int32_t *v, int n) {
    size_t at = vector(w, NULL, (uint32_t)n, 4, 4);
    int i;
    for (i = 0; i < n; ++i)
        set_le(w, at + 4 + 4 * (size_t)i, (uint32_t)v[i], 4);
    return at;
}

static void write_tensor(writer *w, const tm_tensor *t, size_t slot) {
    field f[5] = {{0, 4, 0, 0}, {1, 1, 0, 0}, {2, 4, 0, 0}, {3, 4, 0, 0}, {4, 4, 0, 0}};
    size_t tab, q;
    int nf = t->quant_count > 0 ? 5 : 4, i;
    f[1].value = (uint8_t)t->type;
    f[2].value = t->buffer;
    tab = table(w, f, nf);
    patch(w, slot, tab);
    patch(w, f[0].pos, i32_vector(w, t->dims, t->rank));
    patch(w, f[3].pos, string(w, t->name));
    if (t->quant_count > 0) {
        field qf[3] = {{2, 4, 0, 0}, {3, 4, 0, 0}, {6, 4, 0, 0}};
        size_t v;
        qf[2].value = (uint32_t)t->quantized_dimension;
        q = table(w, qf, 3);
        patch(w, f[4].pos, q);
        v = vector(w, NULL, (uint32_t)t->quant_count, 4, 4);
        for (i = 0; i < t->quant_count; ++i) {
            float s = 0.5f;
            uint32_t bits;
            memcpy(&bits, &s, 4);
            set_le(w, v + 4 + 4 * (size_t)i, bits, 4);
        }
        patch(w, qf[0].pos, v);
        patch(w, qf[1].pos, vector(w, NULL, (uint32_t)t->quant_count, 8, 8));
    }
    (void)tab;
}

static void write_op(writer *w, const tm_op *op, uint32_t opcode_index, size_t slot) {
    field f[5] = {{0, 4, 0, 0}, {1, 4, 0, 0}, {2, 4, 0, 0}, {3, 1, 0, 0}, {4, 4, 0, 0}};
    size_t tab;
    f[0].value = opcode_index;
    f[3].value = op->options_type;
    tab = table(w, f, op->options_type ? 5 : 3);
    patch(w, slot, tab);
    patch(w, f[1].pos, i32_vector(w, op->inputs, op->n_inputs));
    patch(w, f[2].pos, i32_vector(w, op->outputs, op->n_outputs));
    if (op->options_type == 8) { /* FullyConnectedOptions */
        field o[1] = {{0, 1, 0, 0}};
        o[0].value = (uint8_t)op->activation;
        patch(w, f[4].pos, table(w, o, 1));
    } else if (op->options_type == 9) { /* SoftmaxOptions */
        field o[1] = {{0, 4, 0, 0}};
        uint32_t bits;
        memcpy(&bits, &op->beta, 4);
        o[0].value = bits;
        patch(w, f[4].pos, table(w, o, 1));
    } else if (op->options_type == 17) { /* ReshapeOptions */
        field o[1] = {{0, 4, 0, 0}};
        size_t t2 = table(w, o, 1);
        patch(w, f[4].pos, t2);
        patch(w, o[0].pos, i32_vector(w, op->new_shape, op->n_new_shape));
    } else if (op->options_type) {
        field o[1] = {{0, 4, 0, 0}};
        patch(w, f[4].pos, table(w, o, 1));
    }
}

size_t tm_write(const tm_model *m, uint8_t *out, size_t capacity) {
    writer w = {out, 0, capacity, 0};
    field mf[4] = {{0, 4, 0, 0}, {1, 4, 0, 0}, {2, 4, 0, 0}, {4, 4, 0, 0}};
    field sf[4] = {{0, 4, 0, 0}, {1, 4, 0, 0}, {2, 4, 0, 0}, {3, 4, 0, 0}};
    size_t model, codes, subgraphs, sub, tensors, ops, buffers;
    int i;

    put_le(&w, 0, 4); /* root offset, patched below */
    put(&w, "TFL3", 4);
    mf[0].value = m->schema_version;
    model = table(&w, mf, 4);
    patch(&w, 0, model);

    codes = vector(&w, NULL, (uint32_t)m->n_ops, 4, 4);
    patch(&w, mf[1].pos, codes);
    for (i = 0; i < m->n_ops; ++i) {
        /* Both code fields, as current converters write them: int8 field saturates at 127. */
        field cf[3] = {{0, 1, 0, 0}, {2, 4, 0, 0}, {3, 4, 0, 0}};
        cf[0].value = (uint8_t)(m->ops[i].builtin < 127 ? m->ops[i].builtin : 127);
        cf[1].value = (uint32_t)m->ops[i].version;
        cf[2].value = (uint32_t)m->ops[i].builtin;
        patch(&w, codes + 4 + 4 * (size_t)i, table(&w, cf, 3));
    }

    subgraphs = vector(&w, NULL, 1, 4, 4);
    patch(&w, mf[2].pos, subgraphs);
    sub = table(&w, sf, 4);
    patch(&w, subgraphs + 4, sub);
    tensors = vector(&w, NULL, (uint32_t)m->n_tensors, 4, 4);
    patch(&w, sf[0].pos, tensors);
    for (i = 0; i < m->n_tensors; ++i)
        write_tensor(&w, &m->tensors[i], tensors + 4 + 4 * (size_t)i);
    patch(&w, sf[1].pos, i32_vector(&w, m->inputs, m->n_inputs));
    patch(&w, sf[2].pos, i32_vector(&w, m->outputs, m->n_outputs));
    ops = vector(&w, NULL, (uint32_t)m->n_ops, 4, 4);
    patch(&w, sf[3].pos, ops);
    for (i = 0; i < m->n_ops; ++i)
        write_op(&w, &m->ops[i], (uint32_t)i + m->ops[i].opcode_shift, ops + 4 + 4 * (size_t)i);

    buffers = vector(&w, NULL, (uint32_t)m->n_buffers, 4, 4);
    patch(&w, mf[3].pos, buffers);
    for (i = 0; i < m->n_buffers; ++i) {
        field bf[1] = {{0, 4, 0, 0}};
        size_t b = table(&w, bf, m->buffer_bytes[i] ? 1 : 0);
        patch(&w, buffers + 4 + 4 * (size_t)i, b);
        if (m->buffer_bytes[i])
            patch(&w, bf[0].pos, vector(&w, m->buffer_data[i], m->buffer_bytes[i], 1, 16));
    }
    return w.overflow ? 0 : w.len;
}

void tm_fc(tm_model *m, int32_t batches, int32_t in, int32_t out, const float *weights, const float *bias) {
    const tm_tensor tensors[4] = {
        {"input", 0, 2, {batches, in, 0, 0}, 0, 0, 0},
        {"fc/weights", 0, 2, {out, in, 0, 0}, 1, 0, 0},
        {"fc/bias", 0, 1, {out, 0, 0, 0}, 2, 0, 0},
        {"output", 0, 2, {batches, out, 0, 0}, 0, 0, 0},
    };
    memset(m, 0, sizeof *m);
    m->schema_version = 3;
    memcpy(m->tensors, tensors, sizeof tensors);
    m->n_tensors = 4;
    m->ops[0].builtin = 9; /* FULLY_CONNECTED */
    m->ops[0].version = 1;
    m->ops[0].inputs[0] = 0;
    m->ops[0].inputs[1] = 1;
    m->ops[0].inputs[2] = 2;
    m->ops[0].n_inputs = 3;
    m->ops[0].outputs[0] = 3;
    m->ops[0].n_outputs = 1;
    m->ops[0].options_type = 8;
    m->ops[0].activation = 1; /* RELU */
    m->n_ops = 1;
    m->buffer_data[1] = weights;
    m->buffer_bytes[1] = (uint32_t)((size_t)out * (size_t)in * sizeof(float));
    m->buffer_data[2] = bias;
    m->buffer_bytes[2] = (uint32_t)((size_t)out * sizeof(float));
    m->n_buffers = 3;
    m->inputs[0] = 0;
    m->n_inputs = 1;
    m->outputs[0] = 3;
    m->n_outputs = 1;
}

void tm_fc_softmax(tm_model *m, const float *weights12, const float *bias3) {
    static const tm_tensor probs = {"probs", 0, 2, {1, 3, 0, 0}, 0, 0, 0};
    tm_fc(m, 1, 4, 3, weights12, bias3);
    m->tensors[3].name = "fc/out";
    m->tensors[4] = probs;
    m->n_tensors = 5;
    m->ops[1].builtin = 25; /* SOFTMAX */
    m->ops[1].version = 1;
    m->ops[1].inputs[0] = 3;
    m->ops[1].n_inputs = 1;
    m->ops[1].outputs[0] = 4;
    m->ops[1].n_outputs = 1;
    m->ops[1].options_type = 9;
    m->ops[1].beta = 1.0f;
    m->n_ops = 2;
    m->outputs[0] = 4;
}
