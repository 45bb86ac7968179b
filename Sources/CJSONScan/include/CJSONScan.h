#ifndef CJSONSCAN_H
#define CJSONSCAN_H

#include <stdint.h>

/// Where a structural scan stands between two calls (the scan of a stream continues across windows).
typedef struct {
    /// Bracket depth at the current position, counting only brackets outside strings.
    int32_t depth;
    /// Inside a string literal.
    uint8_t in_string;
    /// Inside a string, the previous byte was a backslash that escapes the next one.
    uint8_t escaped;
} tfd_scan_state;

/// Finds where JSON values end at `unit_depth`: every offset one past a '}' or ']' (outside strings)
/// after which the depth is `unit_depth` again. With unit_depth 0 these are the ends of top-level
/// values (NDJSON, concatenated values); with 2 inside `{"Records":[`, the ends of the records.
///
/// Scans bytes[0, length) from *state, writes offsets into ends[0, capacity) in increasing order and
/// returns how many; stops early when `ends` is full, and sets *consumed to the offset it reached
/// (length when it did not stop early). *state is updated to the state at *consumed. A closing bracket
/// that would take the depth below zero sets state->depth to -1 and stops there (malformed input).
int64_t tfd_scan_unit_ends(const uint8_t *bytes, int64_t length, int32_t unit_depth, tfd_scan_state *state,
                           int64_t *ends, int64_t capacity, int64_t *consumed);

/// Given bytes[start] == '{' or '[', the offset one past its matching closing bracket, looking only at
/// strings and brackets (the contents are not validated further); -1 when bytes end first.
int64_t tfd_skip_container(const uint8_t *bytes, int64_t start, int64_t end);

#endif
