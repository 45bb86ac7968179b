#ifndef CJSONSCAN_BYTEWISE_H
#define CJSONSCAN_BYTEWISE_H

#include "CJSONScan.h"

/// Where a byte-at-a-time scan stands.
typedef struct {
    int64_t depth;
    uint8_t in_string;
    uint8_t escaped;
} tfd_bytewise_state;

/// The rules of the scan, one byte at a time over bytes[0, length) from and into *state: the reference is
/// this over the whole input, and the vectorised kernels use it for a block they cannot model (a backslash
/// outside strings). Ends are written as `base` + offset into ends[*found, capacity). Returns 1 when it
/// stops early, at *stop_at (one past the byte): ends full, or the depth below zero (then *state is
/// {-1, 0, 0}); else 0.
static inline int tfd_scan_bytewise(const uint8_t *bytes, int64_t length, int64_t base, int64_t unit_depth,
                                    tfd_bytewise_state *state, int64_t *ends, int64_t capacity, int64_t *found,
                                    int64_t *stop_at) {
    int64_t depth = state->depth;
    uint8_t in_string = state->in_string;
    uint8_t escaped = state->escaped;
    for (int64_t i = 0; i < length; i++) {
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
                *state = (tfd_bytewise_state){-1, 0, 0};
                *stop_at = base + i + 1;
                return 1;
            }
            if (depth == unit_depth) {
                ends[(*found)++] = base + i + 1;
                if (*found == capacity) {
                    *state = (tfd_bytewise_state){depth, in_string, escaped};
                    *stop_at = base + i + 1;
                    return 1;
                }
            }
            break;
        default:
            break;
        }
    }
    *state = (tfd_bytewise_state){depth, in_string, escaped};
    return 0;
}

#endif
