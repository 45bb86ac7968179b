#include "CJSONScanKernels.h"

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
    int32_t depth = state->depth;
    uint8_t in_string = state->in_string;
    uint8_t escaped = state->escaped;
    int64_t found = 0;
    int64_t i = 0;
    for (; i < length; i++) {
        uint8_t byte = bytes[i];
        if (in_string) {
            if (escaped) {
                escaped = 0;
            } else if (byte == '\\') {
                escaped = 1;
            } else if (byte == '"') {
                in_string = 0;
            }
            continue;
        }
        switch (byte) {
        case '"':
            in_string = 1;
            break;
        case '{':
        case '[':
            depth++;
            break;
        case '}':
        case ']':
            depth--;
            if (depth < 0) {
                state->depth = -1;
                state->in_string = 0;
                state->escaped = 0;
                *consumed = i + 1;
                return found;
            }
            if (depth == unit_depth) {
                ends[found++] = i + 1;
                if (found == capacity) {
                    i++;
                    goto done;
                }
            }
            break;
        default:
            break;
        }
    }
done:
    state->depth = depth;
    state->in_string = in_string;
    state->escaped = escaped;
    *consumed = i;
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
