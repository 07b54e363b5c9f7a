/* Status names and the per-interpreter error message. */
#include <stdarg.h>

#include "ember_internal.h"

const char *ember_status_string(ember_status status) {
    switch (status) {
    case EMBER_OK:
        return "ok";
    case EMBER_INVALID_ARGUMENT:
        return "invalid argument";
    case EMBER_INVALID_MODEL:
        return "invalid model";
    case EMBER_UNSUPPORTED:
        return "unsupported";
    case EMBER_OUT_OF_MEMORY:
        return "out of memory";
    case EMBER_BAD_STATE:
        return "bad state";
    case EMBER_RUNTIME_ERROR:
        return "runtime error";
    }
    return "unknown status";
}

ember_status ember_fail(ember_interpreter *ctx, ember_status status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(ctx->error, sizeof ctx->error, format, args);
    va_end(args);
    return status;
}
