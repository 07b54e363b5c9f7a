/* ember-replay: runs models on given input bytes and writes the output bytes, for golden-file checks on other
 * machines (cross builds under qemu, a phone through `adb shell`).
 *
 *   ember-replay MODEL INPUT OUTPUT [MODEL INPUT OUTPUT ...]
 *
 * For each triple: loads MODEL, fills the graph inputs in order from INPUT (their raw bytes back to back; the
 * file's size must be their total), invokes once and writes every graph output's raw bytes back to back to
 * OUTPUT. Exits 0 when every triple ran, 1 otherwise, naming the file and the runtime's message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ember.h"

/* The whole file in a malloc'd buffer (16-byte aligned by malloc on the targets we build for). */
static unsigned char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = (unsigned char *)malloc(n ? (size_t)n : 1);
        if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
            free(data);
            data = NULL;
        }
        *size = (size_t)n;
    }
    fclose(f);
    return data;
}

static int replay(const char *model_path, const char *input_path, const char *output_path) {
    char error[EMBER_ERROR_CAPACITY];
    size_t model_size = 0, input_size = 0, used = 0;
    unsigned char *model = read_file(model_path, &model_size), *input = read_file(input_path, &input_size);
    ember_interpreter *it = NULL;
    FILE *out = NULL;
    int32_t i, index;
    int ok = 0;
    if (!model || !input) {
        fprintf(stderr, "%s: cannot read it\n", model ? input_path : model_path);
        goto done;
    }
    if (ember_interpreter_create(model, model_size, &it, error, sizeof error) != EMBER_OK) {
        fprintf(stderr, "%s: %s\n", model_path, error);
        goto done;
    }
    if (ember_interpreter_allocate_tensors(it) != EMBER_OK)
        goto runtime_error;
    for (i = 0; i < ember_interpreter_input_count(it); ++i) {
        ember_tensor_info info;
        if (ember_interpreter_input_tensor(it, i, &index) != EMBER_OK ||
            ember_interpreter_tensor_info(it, index, &info) != EMBER_OK)
            goto runtime_error;
        if (info.bytes > input_size - used) {
            fprintf(stderr, "%s: %lu bytes, the inputs of %s need more\n", input_path,
                    (unsigned long)input_size, model_path);
            goto done;
        }
        if (ember_interpreter_write_tensor(it, index, input + used, info.bytes) != EMBER_OK)
            goto runtime_error;
        used += info.bytes;
    }
    if (used != input_size) {
        fprintf(stderr, "%s: %lu bytes, the inputs of %s take %lu\n", input_path, (unsigned long)input_size,
                model_path, (unsigned long)used);
        goto done;
    }
    if (ember_interpreter_invoke(it) != EMBER_OK)
        goto runtime_error;
    if (!(out = fopen(output_path, "wb"))) {
        fprintf(stderr, "%s: cannot write it\n", output_path);
        goto done;
    }
    for (i = 0; i < ember_interpreter_output_count(it); ++i) {
        ember_tensor_info info;
        unsigned char *buf;
        if (ember_interpreter_output_tensor(it, i, &index) != EMBER_OK ||
            ember_interpreter_tensor_info(it, index, &info) != EMBER_OK)
            goto runtime_error;
        if (!(buf = (unsigned char *)malloc(info.bytes ? info.bytes : 1)))
            goto done;
        if (ember_interpreter_read_tensor(it, index, buf, info.bytes) != EMBER_OK) {
            free(buf);
            goto runtime_error;
        }
        ok = fwrite(buf, 1, info.bytes, out) == info.bytes;
        free(buf);
        if (!ok) {
            fprintf(stderr, "%s: write failed\n", output_path);
            goto done;
        }
    }
    ok = 1;
    goto done;
runtime_error:
    fprintf(stderr, "%s: %s\n", model_path, ember_interpreter_error(it));
done:
    if (out && fclose(out) != 0)
        ok = 0;
    ember_interpreter_destroy(it);
    free(model);
    free(input);
    return ok;
}

int main(int argc, char **argv) {
    int i, failed = 0;
    if (argc < 4 || (argc - 1) % 3 != 0) {
        fprintf(stderr, "usage: ember-replay MODEL INPUT OUTPUT [MODEL INPUT OUTPUT ...]\n");
        return 2;
    }
    for (i = 1; i + 2 < argc; i += 3)
        failed += !replay(argv[i], argv[i + 1], argv[i + 2]);
    return failed ? 1 : 0;
}
