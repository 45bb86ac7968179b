#include "CJSONScanKernels.h"
#include "scan_bytewise.h"

// The reference: one byte at a time. It is the specification the vectorised kernels are tested against
// (they must give identical results for every input and state) and the implementation on architectures
// without a vectorised kernel.

int64_t tfd_scan_unit_ends_reference(const uint8_t *bytes, int64_t length, int32_t unit_depth,
                                     tfd_scan_state *state, int64_t *ends, int64_t capacity, int64_t *consumed) {
    // No room for an end: `ends` is full before the first byte, so nothing is scanned.
    if (capacity <= 0) {
        *consumed = 0;
        return 0;
    }
    tfd_bytewise_state at = {state->depth, state->in_string, state->escaped};
    int64_t found = 0;
    int64_t stop_at = length > 0 ? length : 0;
    tfd_scan_bytewise(bytes, length, 0, unit_depth, &at, ends, capacity, &found, &stop_at);
    state->depth = (int32_t)at.depth;
    state->in_string = at.in_string;
    state->escaped = at.escaped;
    *consumed = stop_at;
    return found;
}

int64_t tfd_skip_container_reference(const uint8_t *bytes, int64_t start, int64_t end) {
    tfd_scan_state state = {0, 0, 0};
    int64_t result = 0;
    int64_t consumed = 0;
    int64_t count = tfd_scan_unit_ends_reference(bytes + start, end - start, 0, &state, &result, 1, &consumed);
    if (count == 1) return start + result;
    return -1;
}
