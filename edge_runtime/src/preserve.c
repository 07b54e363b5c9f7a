/* ember_interpreter_set_preserve_all_tensors (ember.h): every tensor its own bytes, for debugging. The
 * planner (ember_plan_subgraph, planner.c, for each subgraph's region) reads it->preserve_all_tensors. */
#include "ember_internal.h"

ember_status ember_interpreter_set_preserve_all_tensors(ember_interpreter *it, int32_t preserve) {
    ember_status status;
    const int before = it ? it->preserve_all_tensors : 0;
    if (!it)
        return EMBER_INVALID_ARGUMENT;
    EMBER_CHECK(it, !it->allocated, EMBER_BAD_STATE,
                "set_preserve_all_tensors: tensors are already allocated; call it before allocate_tensors");
    it->preserve_all_tensors = preserve != 0;
    if (it->preserve_all_tensors == before)
        return EMBER_OK;
    status = ember_plan_layout(it);
    if (status != EMBER_OK) {
        it->preserve_all_tensors = before; /* the layout that was fine before: the interpreter stays usable */
        ember_plan_layout(it);
    }
    return status;
}
