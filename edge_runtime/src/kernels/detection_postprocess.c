/* TFLite_Detection_PostProcess, the CUSTOM op that ends SSD detectors (LiteRT registers it by default, so
 * does this runtime: op_registry.c's custom table). Inputs: box encodings [1, N, >=4] (y, x, h, w per
 * anchor), class predictions [1, N, num_classes (+1 background)], anchors [N, 4] (y, x, h, w); float32, or
 * uint8 dequantised on the fly (box encodings and anchors together). Outputs, float32: boxes [1, D, 4] (ymin,
 * xmin, ymax, xmax), classes [1, D], scores [1, D], count [1], with D = max_detections *
 * max_classes_per_detection. Attributes come from the flexbuffer in custom_options.
 *
 * As LiteRT's detection_postprocess.cc: boxes decode in double (center-size against the anchors and the
 * y/x/h/w scales); fast NMS ranks each anchor by its best class and keeps its top max_classes_per_detection
 * classes, regular NMS runs per class (detections_per_class each) and keeps the best max_detections overall;
 * score >= nms_score_threshold, IoU > nms_iou_threshold suppresses. Sorts are stable, as LiteRT's are in NMS
 * and in regular NMS's merge of the classes; fast NMS ranks an anchor's classes as libstdc++'s partial_sort
 * does, so equal scores come out in LiteRT's order too. Rows beyond the detections are zero (LiteRT leaves
 * them unwritten). */
#include <math.h>
#include <string.h>

#include "flexbuffer.h"
#include "kernels/kernels.h"
#include "quantization.h"
#include "tflite_schema.h"

#define NAME "TFLite_Detection_PostProcess"

typedef struct dpp_params {
    int32_t max_detections, max_classes_per_detection, detections_per_class, num_classes, regular;
    float score_threshold, iou_threshold;
    float y_scale, x_scale, h_scale, w_scale;
} dpp_params;

typedef struct dpp_data {
    dpp_params p;
    int32_t num_boxes, box_stride, classes_with_background, label_offset;
    float box_scale, anchor_scale, class_scale;
    int32_t box_zero_point, anchor_zero_point, class_zero_point;
} dpp_data;

/* Working memory of one eval, carved from the scratch block (layout()). */
typedef struct dpp_scratch {
    float *decoded;      /* N x (ymin, xmin, ymax, xmax) */
    float *scores;       /* N x classes_with_background, dequantised uint8 predictions */
    uint8_t *active;     /* N */
    int32_t *keep_index; /* N */
    float *keep_score;   /* N + M */
    int32_t *order;      /* N + M */
    int32_t *merge;      /* N + M + num_classes, the merge sort's buffer */
    float *class_score;  /* N */
    int32_t *selected;   /* N */
    int32_t *box_after;  /* N + M (regular NMS) */
    float *score_after;  /* N + M */
    float *top_score;    /* N (fast NMS: best class score of each anchor) */
    int32_t *class_rank; /* N x num_classes (fast NMS) */
    float *ranked;       /* N x (ymin, xmin, ymax, xmax, area): the kept boxes in score order, for NMS */
} dpp_scratch;

/* Reads and checks the attributes; 0 with a reason in why otherwise. */
static int read_params(const ember_node *node, dpp_params *p, char *why, size_t capacity) {
    static const char *const keys[] = {"max_detections",
                                       "max_classes_per_detection",
                                       "detections_per_class",
                                       "use_regular_nms",
                                       "nms_score_threshold",
                                       "nms_iou_threshold",
                                       "num_classes",
                                       "y_scale",
                                       "x_scale",
                                       "h_scale",
                                       "w_scale"};
    double v[11] = {0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0}; /* LiteRT's values for absent keys */
    const char *reason = "";
    flex_map map;
    size_t i;
    if (!flex_root_map(node->custom_options, node->custom_options_bytes, &map, &reason)) {
        snprintf(why, capacity, "custom_options (%lu bytes) are not a flexbuffer map: %s",
                 (unsigned long)node->custom_options_bytes, reason);
        return 0;
    }
    for (i = 0; i < sizeof keys / sizeof keys[0]; ++i) {
        int found;
        double value;
        if (!flex_map_number(&map, keys[i], &found, &value, &reason)) {
            snprintf(why, capacity, "custom_options '%s': %s", keys[i], reason);
            return 0;
        }
        if (found)
            v[i] = value;
    }
    for (i = 0; i < 3; ++i) {
        if (!(v[i] >= 1 && v[i] <= 65536)) {
            snprintf(why, capacity, "%s is %g; it must be 1 to 65536", keys[i], v[i]);
            return 0;
        }
    }
    if (!(v[6] >= 1 && v[6] <= 1 << 20) || !(v[5] > 0 && v[5] <= 1)) {
        snprintf(why, capacity, "num_classes %g must be 1 to 2^20 and nms_iou_threshold %g in (0, 1]", v[6],
                 v[5]);
        return 0;
    }
    for (i = 7; i < 11; ++i) {
        if (!((float)v[i] != 0 && isfinite((float)v[i]))) {
            snprintf(why, capacity, "%s is %g; the box scales must be finite and non-zero", keys[i], v[i]);
            return 0;
        }
    }
    p->max_detections = (int32_t)v[0];
    p->max_classes_per_detection = (int32_t)v[1];
    p->detections_per_class = (int32_t)v[2];
    p->regular = v[3] != 0;
    p->score_threshold = (float)v[4];
    p->iou_threshold = (float)v[5];
    p->num_classes = (int32_t)v[6];
    p->y_scale = (float)v[7];
    p->x_scale = (float)v[8];
    p->h_scale = (float)v[9];
    p->w_scale = (float)v[10];
    return 1;
}

/* Carves the scratch (base NULL: only sizes it); (size_t)-1 when it does not fit. */
static size_t layout(uint64_t n, uint64_t classes_bg, uint64_t classes, uint64_t m, uint8_t *base,
                     dpp_scratch *s) {
    const uint64_t counts[14] = {
        4 * n, n * classes_bg, (n + 3) / 4, n, n + m,       n + m, n + m + classes, n,
        n,     n + m,          n + m,       n, n * classes, 5 * n};
    void **slots[14];
    uint64_t total = 0;
    size_t i;
    slots[0] = (void **)&s->decoded;
    slots[1] = (void **)&s->scores;
    slots[2] = (void **)&s->active; /* 4 bytes a unit: n bytes */
    slots[3] = (void **)&s->keep_index;
    slots[4] = (void **)&s->keep_score;
    slots[5] = (void **)&s->order;
    slots[6] = (void **)&s->merge;
    slots[7] = (void **)&s->class_score;
    slots[8] = (void **)&s->selected;
    slots[9] = (void **)&s->box_after;
    slots[10] = (void **)&s->score_after;
    slots[11] = (void **)&s->top_score;
    slots[12] = (void **)&s->class_rank;
    slots[13] = (void **)&s->ranked;
    for (i = 0; i < 14; ++i) {
        const uint64_t bytes = (4 * counts[i] + EMBER_ALIGNMENT - 1) & ~(uint64_t)(EMBER_ALIGNMENT - 1);
        if (base)
            *slots[i] = base + total;
        total += bytes;
        if (total > ((uint64_t)1 << 40))
            return (size_t)-1;
    }
    return total > (uint64_t)(size_t)-1 / 2 ? (size_t)-1 : (size_t)total;
}

/* Shapes the node needs for its scratch, read defensively (scratch_bytes runs before prepare). */
static size_t scratch_bytes(const ember_interpreter *ctx, const ember_node *node) {
    dpp_params p;
    dpp_scratch s;
    char why[8];
    const ember_tensor *boxes, *classes;
    if (node->input_count != 3 || node->inputs[0] < 0 || node->inputs[1] < 0 ||
        !read_params(node, &p, why, sizeof why))
        return 0;
    boxes = &ctx->tensors[node->inputs[0]];
    classes = &ctx->tensors[node->inputs[1]];
    if (boxes->rank != 3 || classes->rank != 3)
        return 0;
    return layout((uint64_t)boxes->dims[1], (uint64_t)classes->dims[2], (uint64_t)p.num_classes,
                  (uint64_t)p.max_detections, NULL, &s);
}

static ember_status check_output(ember_interpreter *ctx, const ember_node *node, int32_t i, int32_t rank,
                                 const int32_t *dims) {
    const ember_tensor *t = ember_node_output(ctx, node, i);
    static const char *const names[4] = {"boxes", "classes", "scores", "count"};
    char shape[96];
    int32_t d, ok = t->type == EMBER_FLOAT32 && t->rank == rank;
    for (d = 0; ok && d < rank; ++d)
        ok = t->dims[d] == dims[d];
    EMBER_CHECK(ctx, ok, EMBER_INVALID_MODEL,
                NAME " %ld: output %ld (%s) '%.48s' is %s %s; it must be float32 [1, %ld%s",
                (long)node->index, (long)i, names[i], t->name, ember_type_name(t->type),
                ember_shape_string(t, shape, sizeof shape), (long)dims[rank > 1 ? 1 : 0],
                rank == 3   ? ", 4]"
                : rank == 2 ? "]"
                            : " (count)]");
    return EMBER_OK;
}

static ember_status prepare(ember_interpreter *ctx, ember_node *node) {
    dpp_data *data = (dpp_data *)node->op_data;
    const ember_tensor *boxes, *classes, *anchors;
    const long n = (long)node->index;
    char why[160], a[96], b[96], c[96];
    int32_t detections, out_dims[3], i;
    EMBER_CHECK(ctx, node->input_count == 3 && node->output_count == 4, EMBER_INVALID_MODEL,
                NAME
                " %ld: needs 3 inputs (box encodings, class predictions, anchors) and 4 outputs, has %ld "
                "and %ld",
                n, (long)node->input_count, (long)node->output_count);
    EMBER_CHECK(ctx, read_params(node, &data->p, why, sizeof why), EMBER_INVALID_MODEL, NAME " %ld: %s", n,
                why);
    boxes = ember_node_input(ctx, node, 0);
    classes = ember_node_input(ctx, node, 1);
    anchors = ember_node_input(ctx, node, 2);
    EMBER_CHECK(ctx,
                boxes->rank == 3 && classes->rank == 3 && anchors->rank == 2 && boxes->dims[0] == 1 &&
                    classes->dims[0] == 1 && boxes->dims[2] >= 4 && classes->dims[1] == boxes->dims[1] &&
                    anchors->dims[0] == boxes->dims[1] && anchors->dims[1] == 4,
                EMBER_INVALID_MODEL,
                NAME " %ld: box encodings %s, class predictions %s and anchors %s must be [1, N, >=4], "
                     "[1, N, classes] and [N, 4]",
                n, ember_shape_string(boxes, a, sizeof a), ember_shape_string(classes, b, sizeof b),
                ember_shape_string(anchors, c, sizeof c));
    data->num_boxes = boxes->dims[1];
    data->box_stride = boxes->dims[2];
    data->classes_with_background = classes->dims[2];
    data->label_offset = classes->dims[2] - data->p.num_classes;
    EMBER_CHECK(ctx, data->label_offset == 0 || data->label_offset == 1, EMBER_INVALID_MODEL,
                NAME " %ld: class predictions have %ld classes for num_classes %ld; they may add one "
                     "(background) at most",
                n, (long)classes->dims[2], (long)data->p.num_classes);
    EMBER_CHECK(ctx,
                (boxes->type == EMBER_FLOAT32 && anchors->type == EMBER_FLOAT32) ||
                    (boxes->type == EMBER_UINT8 && anchors->type == EMBER_UINT8),
                EMBER_UNSUPPORTED,
                NAME " %ld: box encodings are %s and anchors %s; both float32 or both uint8 are supported", n,
                ember_type_name(boxes->type), ember_type_name(anchors->type));
    EMBER_CHECK(ctx, classes->type == EMBER_FLOAT32 || classes->type == EMBER_UINT8, EMBER_UNSUPPORTED,
                NAME " %ld: class predictions are %s; float32 and uint8 are supported", n,
                ember_type_name(classes->type));
    if (boxes->type == EMBER_UINT8) {
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, boxes, &data->box_scale, &data->box_zero_point));
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, anchors, &data->anchor_scale, &data->anchor_zero_point));
    }
    if (classes->type == EMBER_UINT8)
        EMBER_TRY(ember_tensor_quant_i8(ctx, node, classes, &data->class_scale, &data->class_zero_point));
    detections = data->p.max_detections * data->p.max_classes_per_detection;
    EMBER_CHECK(ctx, data->p.max_detections <= 65536 / data->p.max_classes_per_detection, EMBER_UNSUPPORTED,
                NAME " %ld: max_detections x max_classes_per_detection is above 65536", n);
    out_dims[0] = 1;
    out_dims[1] = detections;
    out_dims[2] = 4;
    for (i = 0; i < 3; ++i)
        EMBER_TRY(check_output(ctx, node, i, i == 0 ? 3 : 2, out_dims));
    out_dims[0] = 1;
    return check_output(ctx, node, 3, 1, out_dims);
}

/* ---- the math ---- */

/* Indices 0..count-1 into order, sorted by decreasing values, equal values in index order (bottom-up merge
 * sort through `merge`). */
static void sort_decreasing(const float *values, int32_t count, int32_t *order, int32_t *merge) {
    int32_t width, i, *from = order, *to = merge;
    for (i = 0; i < count; ++i)
        order[i] = i;
    for (width = 1; width < count; width *= 2) {
        int32_t lo;
        for (lo = 0; lo < count; lo += 2 * width) {
            const int32_t mid = lo + width < count ? lo + width : count;
            const int32_t hi = mid + width < count ? mid + width : count;
            int32_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                to[k++] = values[from[b]] > values[from[a]] ? from[b++] : from[a++];
            while (a < mid)
                to[k++] = from[a++];
            while (b < hi)
                to[k++] = from[b++];
        }
        from = to;
        to = from == order ? merge : order;
    }
    if (from != order)
        memcpy(order, from, (size_t)count * sizeof *order);
}

/* The first `take` of indices 0..count-1 by decreasing values, in the order LiteRT's std::partial_sort leaves
 * them (GNU libstdc++'s heap select then heap sort, the library LiteRT's Linux builds use), equal values
 * included: fast NMS ranks an anchor's classes with it. "a before b" is values[a] > values[b]. */
#define BEFORE(a, b) (values[(a)] > values[(b)])

static void adjust_heap(const float *values, int32_t *heap, int32_t hole, int32_t len, int32_t value) {
    const int32_t top = hole;
    int32_t child = hole, parent;
    while (child < (len - 1) / 2) {
        child = 2 * (child + 1);
        if (BEFORE(heap[child], heap[child - 1]))
            --child;
        heap[hole] = heap[child];
        hole = child;
    }
    if ((len & 1) == 0 && child == (len - 2) / 2) {
        child = 2 * (child + 1);
        heap[hole] = heap[child - 1];
        hole = child - 1;
    }
    parent = (hole - 1) / 2;
    while (hole > top && BEFORE(heap[parent], value)) {
        heap[hole] = heap[parent];
        hole = parent;
        parent = (hole - 1) / 2;
    }
    heap[hole] = value;
}

static void partial_sort_decreasing(const float *values, int32_t count, int32_t take, int32_t *order) {
    int32_t i, parent;
    for (i = 0; i < count; ++i)
        order[i] = i;
    if (take >= 2) { /* make_heap over [0, take) */
        for (parent = (take - 2) / 2;; --parent) {
            adjust_heap(values, order, parent, take, order[parent]);
            if (parent == 0)
                break;
        }
    }
    for (i = take; i < count; ++i) { /* heap select: swap in what beats the heap's last-ranked */
        if (BEFORE(order[i], order[0])) {
            const int32_t value = order[i];
            order[i] = order[0];
            adjust_heap(values, order, 0, take, value);
        }
    }
    for (i = take; i > 1; --i) { /* sort_heap */
        const int32_t value = order[i - 1];
        order[i - 1] = order[0];
        adjust_heap(values, order, 0, i - 1, value);
    }
}
#undef BEFORE

/* std::max / std::min on floats, as LiteRT computes IoU. */
static float max_f(float a, float b) {
    return a < b ? b : a;
}

static float min_f(float a, float b) {
    return b < a ? b : a;
}

/* IoU of two ranked boxes (ymin, xmin, ymax, xmax, area), LiteRT's expression for expression. */
static float iou(const float *p, const float *q) {
    float ih, iw, inter;
    if (p[4] <= 0 || q[4] <= 0)
        return 0.0f;
    ih = max_f(min_f(p[2], q[2]) - max_f(p[0], q[0]), 0.0f);
    iw = max_f(min_f(p[3], q[3]) - max_f(p[1], q[1]), 0.0f);
    inter = ih * iw;
    return inter / (p[4] + q[4] - inter);
}

/* Greedy NMS of one score per anchor: the selected anchors, best first, into s->selected; their count. */
static int32_t nms(const dpp_data *d, dpp_scratch *s, const float *scores, int32_t max_out) {
    int32_t i, j, kept = 0, active, count = 0, limit;
    for (i = 0; i < d->num_boxes; ++i) {
        if (scores[i] >= d->p.score_threshold) {
            s->keep_index[kept] = i;
            s->keep_score[kept++] = scores[i];
        }
    }
    sort_decreasing(s->keep_score, kept, s->order, s->merge);
    limit = kept < max_out ? kept : max_out;
    if (limit == 0)
        return 0;
    /* The kept boxes gathered in score order with their areas: the pairwise loop below streams through them.
     */
    for (i = 0; i < kept; ++i) {
        const float *b = s->decoded + 4 * (size_t)s->keep_index[s->order[i]];
        float *r = s->ranked + 5 * (size_t)i;
        memcpy(r, b, 4 * sizeof(float));
        r[4] = (b[2] - b[0]) * (b[3] - b[1]);
    }
    memset(s->active, 1, (size_t)(uint32_t)kept);
    active = kept;
    for (i = 0; i < kept && active > 0 && count < limit; ++i) {
        const float *box = s->ranked + 5 * (size_t)i;
        if (!s->active[i])
            continue;
        s->selected[count++] = s->keep_index[s->order[i]];
        s->active[i] = 0;
        --active;
        for (j = i + 1; j < kept; ++j) {
            if (s->active[j] && iou(box, s->ranked + 5 * (size_t)j) > d->p.iou_threshold) {
                s->active[j] = 0;
                --active;
            }
        }
    }
    return count;
}

static int32_t regular_nms(const dpp_data *d, dpp_scratch *s, const float *scores, float *out_boxes,
                           float *out_classes, float *out_scores) {
    const int32_t cb = d->classes_with_background, m = d->p.max_detections;
    int32_t col, row, sorted = 0;
    for (col = 0; col < d->p.num_classes; ++col) {
        int32_t count, k, total = sorted, keep;
        for (row = 0; row < d->num_boxes; ++row)
            s->class_score[row] = scores[(size_t)row * cb + col + d->label_offset];
        /* At most max_detections of a class can make the final list (LiteRT caps it the same way): greedy NMS
         * selects in score order, so the cap only stops it early. */
        count = nms(d, s, s->class_score, d->p.detections_per_class < m ? d->p.detections_per_class : m);
        for (k = 0; k < count; ++k) {
            s->box_after[total] = s->selected[k] * cb + col + d->label_offset;
            s->score_after[total++] = s->class_score[s->selected[k]];
        }
        keep = total < m ? total : m;
        sort_decreasing(s->score_after, total, s->order, s->merge);
        for (k = 0; k < keep; ++k) { /* gathered into merge / keep_score, then back */
            s->merge[k] = s->box_after[s->order[k]];
            s->keep_score[k] = s->score_after[s->order[k]];
        }
        memcpy(s->box_after, s->merge, (size_t)keep * sizeof *s->merge);
        memcpy(s->score_after, s->keep_score, (size_t)keep * sizeof *s->keep_score);
        sorted = keep;
    }
    for (row = 0; row < sorted; ++row) {
        const int32_t anchor = s->box_after[row] / cb;
        memcpy(out_boxes + 4 * (size_t)row, s->decoded + 4 * (size_t)anchor, 4 * sizeof(float));
        out_classes[row] = (float)(s->box_after[row] - anchor * cb - d->label_offset);
        out_scores[row] = s->score_after[row];
    }
    return sorted;
}

static int32_t fast_nms(const dpp_data *d, dpp_scratch *s, const float *scores, float *out_boxes,
                        float *out_classes, float *out_scores) {
    const int32_t cb = d->classes_with_background, classes = d->p.num_classes;
    const int32_t per = d->p.max_classes_per_detection, take = per < classes ? per : classes;
    int32_t row, k, col, count;
    for (row = 0; row < d->num_boxes; ++row) {
        const float *box_scores = scores + (size_t)row * cb + d->label_offset;
        int32_t *rank = s->class_rank + (size_t)row * classes;
        if (take == 1) { /* the best class only: the first maximum, as LiteRT's ArgMaxVector */
            int32_t c;
            rank[0] = 0;
            for (c = 1; c < classes; ++c)
                rank[0] = box_scores[c] > box_scores[rank[0]] ? c : rank[0];
        } else {
            partial_sort_decreasing(box_scores, classes, take, rank);
        }
        s->top_score[row] = box_scores[rank[0]];
    }
    count = nms(d, s, s->top_score, d->p.max_detections);
    for (k = 0; k < count; ++k) {
        const int32_t box = s->selected[k];
        const float *box_scores = scores + (size_t)box * cb + d->label_offset;
        const int32_t *rank = s->class_rank + (size_t)box * classes;
        for (col = 0; col < take; ++col) {
            const size_t at = (size_t)per * (size_t)k + (size_t)col;
            memcpy(out_boxes + 4 * at, s->decoded + 4 * (size_t)box, 4 * sizeof(float));
            out_classes[at] = (float)rank[col];
            out_scores[at] = box_scores[rank[col]];
        }
    }
    return count;
}

/* Center-size encodings against the anchors -> corners, in double as LiteRT; 0 when a box comes out
 * inverted (ymin > ymax or xmin > xmax: a negative anchor size), which LiteRT refuses too. */
static int decode(const ember_interpreter *ctx, const ember_node *node, const dpp_data *d, float *decoded,
                  int32_t *bad) {
    const ember_tensor *boxes = ember_node_input((ember_interpreter *)(uintptr_t)ctx, node, 0);
    const ember_tensor *anchors = ember_node_input((ember_interpreter *)(uintptr_t)ctx, node, 2);
    const int quantised = boxes->type == EMBER_UINT8;
    int32_t i, k;
    for (i = 0; i < d->num_boxes; ++i) {
        float e[4], a[4], yc, xc, hh, hw;
        float *out = decoded + 4 * (size_t)i;
        for (k = 0; k < 4; ++k) {
            const size_t at = (size_t)i * (size_t)d->box_stride + (size_t)k;
            if (quantised) {
                e[k] = ((float)((const uint8_t *)boxes->data)[at] - (float)d->box_zero_point) * d->box_scale;
                a[k] = ((float)((const uint8_t *)anchors->data)[4 * (size_t)i + (size_t)k] -
                        (float)d->anchor_zero_point) *
                       d->anchor_scale;
            } else {
                e[k] = ((const float *)boxes->data)[at];
                a[k] = ((const float *)anchors->data)[4 * (size_t)i + (size_t)k];
            }
        }
        yc = (float)((double)e[0] / (double)d->p.y_scale * (double)a[2] + (double)a[0]);
        xc = (float)((double)e[1] / (double)d->p.x_scale * (double)a[3] + (double)a[1]);
        hh = (float)(0.5 * exp((double)e[2] / (double)d->p.h_scale) * (double)a[2]);
        hw = (float)(0.5 * exp((double)e[3] / (double)d->p.w_scale) * (double)a[3]);
        out[0] = yc - hh;
        out[1] = xc - hw;
        out[2] = yc + hh;
        out[3] = xc + hw;
        if (out[0] > out[2] || out[1] > out[3]) {
            *bad = i;
            return 0;
        }
    }
    return 1;
}

static ember_status eval(ember_interpreter *ctx, const ember_node *node) {
    const dpp_data *d = (const dpp_data *)node->op_data;
    const ember_tensor *classes = ember_node_input(ctx, node, 1);
    float *out_boxes = (float *)ember_node_output(ctx, node, 0)->data;
    float *out_classes = (float *)ember_node_output(ctx, node, 1)->data;
    float *out_scores = (float *)ember_node_output(ctx, node, 2)->data;
    float *out_count = (float *)ember_node_output(ctx, node, 3)->data;
    const size_t detections = (size_t)d->p.max_detections * (size_t)d->p.max_classes_per_detection;
    const float *scores = (const float *)classes->data;
    dpp_scratch s;
    int32_t bad = 0, count;
    layout((uint64_t)d->num_boxes, (uint64_t)d->classes_with_background, (uint64_t)d->p.num_classes,
           (uint64_t)d->p.max_detections, ember_thread_scratch(ctx, 0), &s);
    EMBER_CHECK(ctx, decode(ctx, node, d, s.decoded, &bad), EMBER_RUNTIME_ERROR,
                NAME " %ld: decoded box %ld has ymin > ymax or xmin > xmax (an anchor with a negative size)",
                (long)node->index, (long)bad);
    if (classes->type == EMBER_UINT8) {
        const size_t n = (size_t)d->num_boxes * (size_t)d->classes_with_background;
        const uint8_t *q = (const uint8_t *)classes->data;
        size_t i;
        for (i = 0; i < n; ++i)
            s.scores[i] = (float)((double)d->class_scale * (double)((int32_t)q[i] - d->class_zero_point));
        scores = s.scores;
    }
    memset(out_boxes, 0, 4 * detections * sizeof(float));
    memset(out_classes, 0, detections * sizeof(float));
    memset(out_scores, 0, detections * sizeof(float));
    count = d->p.regular ? regular_nms(d, &s, scores, out_boxes, out_classes, out_scores)
                         : fast_nms(d, &s, scores, out_boxes, out_classes, out_scores);
    out_count[0] = (float)count;
    return EMBER_OK;
}

const ember_kernel ember_kernel_detection_postprocess = {
    TFL_OP_CUSTOM, NAME, 1, 0, sizeof(dpp_data), prepare, eval, NULL, scratch_bytes, EMBER_T_F32 | EMBER_T_U8,
};
