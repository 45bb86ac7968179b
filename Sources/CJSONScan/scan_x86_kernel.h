// The block loop, instantiated once per instruction set by scan_x86.c (no include guard on purpose).
// Before including, define:
//   TFD_KERNEL(name)   the name of an instantiated function (name ## _sse2, name ## _avx2, ...)
//   TFD_TARGET         the function attribute that enables the instruction set
//   TFD_CLASSIFY       tfd_masks (const uint8_t *block): the four byte classes of a 64-byte block
//   TFD_PREFIX_XOR     uint64_t (uint64_t): bit i = XOR of bits 0...i

/// Scans one block of `size` bytes (64, or fewer for the last one, zero-padded to 64) at `offset`.
/// Returns 1 when the scan stops in it (ends full, or the depth went below zero), having stored the state.
static inline __attribute__((always_inline)) TFD_TARGET int TFD_KERNEL(tfd_scan_block)(
    const uint8_t *block, int64_t size, int64_t offset, int64_t target, tfd_carry *carry, tfd_scan_state *state,
    int64_t *ends, int64_t capacity, int64_t *found, int64_t *consumed) {
    tfd_masks masks = TFD_CLASSIFY(block);
    uint64_t escaped = 0;
    uint64_t escape_out = 0;
    if (masks.backslash | carry->escape) escaped = tfd_escaped_bytes(masks.backslash, carry->escape, &escape_out);
    // Bit i set: byte i is inside a string or is its opening quote.
    uint64_t inside = TFD_PREFIX_XOR(masks.quote & ~escaped) ^ carry->in_string;
    if (__builtin_expect((masks.backslash & ~inside) != 0, 0)) {
        // A backslash outside every string escapes nothing, but the escape mask above assumed it does.
        // Malformed JSON only: this block goes one byte at a time from the correct state.
        // (A copy of the carry goes out, so that the carry itself can stay in registers.)
        tfd_carry bytewise = *carry;
        int64_t stop_at = 0;
        int stopped = tfd_scan_block_bytewise(block, size, offset, target, &bytewise, ends, capacity, found, &stop_at);
        *carry = bytewise;
        if (stopped) tfd_store_stop(state, carry, stop_at, consumed);
        return stopped;
    }
    carry->in_string = (uint64_t)((int64_t)inside >> 63);  // no quotes in the padding: bit 63 is the end
    carry->escape = size == 64 ? escape_out : (escaped >> size) & 1;

    uint64_t opens = masks.open & ~inside;
    uint64_t closes = masks.close & ~inside;
    int64_t open_count = tfd_popcount(opens);
    int64_t close_count = tfd_popcount(closes);
    // After any close in this block the depth lies in [lowest, highest]: unless that range reaches below
    // zero or holds the target, no close here can end a unit or underflow, and the block is done. (One
    // branch, taken about once per unit, not once per block with a close in it.)
    int64_t lowest = carry->depth - close_count;
    int64_t highest = carry->depth + open_count - 1;
    int may_stop = (closes != 0) & ((lowest < 0) | ((lowest <= target) & (target <= highest)));
    if (__builtin_expect(may_stop, 0)) {
        // Walk the closes: the depth after each is the depth before the block, plus the opens before it,
        // minus the closes up to it.
        int64_t closed = 0;
        do {
            int position = __builtin_ctzll(closes);
            closed++;
            int64_t depth = carry->depth + tfd_popcount(opens & ((1ULL << position) - 1)) - closed;
            if (depth < 0 || depth == target) {
                // Right after a bracket outside strings: not in a string, nothing escaped.
                tfd_carry at_close = {depth < 0 ? -1 : depth, 0, 0};
                if (depth < 0) {
                    tfd_store_stop(state, &at_close, offset + position + 1, consumed);
                    return 1;
                }
                ends[(*found)++] = offset + position + 1;
                if (*found == capacity) {
                    tfd_store_stop(state, &at_close, offset + position + 1, consumed);
                    return 1;
                }
            }
            closes &= closes - 1;
        } while (closes);
    }
    carry->depth += open_count - close_count;
    return 0;
}

TFD_TARGET int64_t TFD_KERNEL(tfd_scan_unit_ends)(const uint8_t *bytes, int64_t length, int32_t unit_depth,
                                                  tfd_scan_state *state, int64_t *ends, int64_t capacity,
                                                  int64_t *consumed) {
    // States the block logic does not model (flags other than 0/1, an escape outside a string) and the
    // trivial cases go to the reference, which defines what they mean.
    if (capacity <= 0 || length <= 0 || state->in_string > 1 || state->escaped > state->in_string) {
        return tfd_scan_unit_ends_reference(bytes, length, unit_depth, state, ends, capacity, consumed);
    }
    const int64_t target = unit_depth;
    tfd_carry carry = {state->depth, state->in_string ? ~0ULL : 0, state->escaped};
    int64_t found = 0;
    int64_t offset = 0;
    for (; length - offset >= 64; offset += 64) {
        // Ask for the line 2 KiB ahead: on a buffer bigger than the caches the hardware prefetcher alone
        // kept AVX2 at ~4.9 GB/s, this gives ~7.4 (scripts/bench/scan.sh, 200 MB). A prefetch never
        // faults, so running past the end is harmless; the address is computed as an integer for that.
        __builtin_prefetch((const void *)((uintptr_t)bytes + (uintptr_t)offset + 2048));
        if (TFD_KERNEL(tfd_scan_block)(bytes + offset, 64, offset, target, &carry, state, ends, capacity, &found,
                                       consumed)) {
            return found;
        }
    }
    if (offset < length) {
        // The last, short block: zero bytes after the end belong to no class.
        uint8_t padded[64];
        memset(padded, 0, sizeof padded);
        memcpy(padded, bytes + offset, (size_t)(length - offset));
        if (TFD_KERNEL(tfd_scan_block)(padded, length - offset, offset, target, &carry, state, ends, capacity, &found,
                                       consumed)) {
            return found;
        }
    }
    tfd_store_stop(state, &carry, length, consumed);
    return found;
}

TFD_TARGET int64_t TFD_KERNEL(tfd_skip_container)(const uint8_t *bytes, int64_t start, int64_t end) {
    if (end - start <= 0) return -1;
    tfd_scan_state state = {0, 0, 0};
    int64_t close_end = 0;
    int64_t consumed = 0;
    if (TFD_KERNEL(tfd_scan_unit_ends)(bytes + start, end - start, 0, &state, &close_end, 1, &consumed) == 1) {
        return start + close_end;
    }
    return -1;
}
