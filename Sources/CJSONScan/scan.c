#include "CJSONScanKernels.h"
#include "scan_x86.h"

// Picks the kernel: on x86_64 the widest one the CPU runs (AVX-512, else AVX2, else SSE2 with PCLMULQDQ,
// else plain SSE2), elsewhere the reference.

int32_t tfd_scan_kernel_available(tfd_scan_kernel kernel) {
    switch (kernel) {
    case TFD_SCAN_REFERENCE:
        return 1;
#if defined(__x86_64__)
    case TFD_SCAN_SSE2:
        return 1;
    case TFD_SCAN_SSE2_CLMUL:
        return tfd_x86_has_clmul();
    case TFD_SCAN_AVX2:
        return tfd_x86_has_avx2();
    case TFD_SCAN_AVX512:
        return tfd_x86_has_avx512();
#endif
    default:
        return 0;
    }
}

tfd_scan_kernel tfd_scan_kernel_selected(void) {
#if defined(__x86_64__)
    if (tfd_x86_has_avx512()) return TFD_SCAN_AVX512;
    if (tfd_x86_has_avx2()) return TFD_SCAN_AVX2;
    if (tfd_x86_has_clmul()) return TFD_SCAN_SSE2_CLMUL;
    return TFD_SCAN_SSE2;
#else
    return TFD_SCAN_REFERENCE;
#endif
}

int64_t tfd_scan_unit_ends_with(tfd_scan_kernel kernel, const uint8_t *bytes, int64_t length, int32_t unit_depth,
                                tfd_scan_state *state, int64_t *ends, int64_t capacity, int64_t *consumed) {
    if (!tfd_scan_kernel_available(kernel)) kernel = TFD_SCAN_REFERENCE;
    switch (kernel) {
#if defined(__x86_64__)
    case TFD_SCAN_AVX512:
        return tfd_scan_unit_ends_avx512(bytes, length, unit_depth, state, ends, capacity, consumed);
    case TFD_SCAN_AVX2:
        return tfd_scan_unit_ends_avx2(bytes, length, unit_depth, state, ends, capacity, consumed);
    case TFD_SCAN_SSE2_CLMUL:
        return tfd_scan_unit_ends_sse2_clmul(bytes, length, unit_depth, state, ends, capacity, consumed);
    case TFD_SCAN_SSE2:
        return tfd_scan_unit_ends_sse2(bytes, length, unit_depth, state, ends, capacity, consumed);
#endif
    default:
        return tfd_scan_unit_ends_reference(bytes, length, unit_depth, state, ends, capacity, consumed);
    }
}

int64_t tfd_skip_container_with(tfd_scan_kernel kernel, const uint8_t *bytes, int64_t start, int64_t end) {
    if (!tfd_scan_kernel_available(kernel)) kernel = TFD_SCAN_REFERENCE;
    switch (kernel) {
#if defined(__x86_64__)
    case TFD_SCAN_AVX512:
        return tfd_skip_container_avx512(bytes, start, end);
    case TFD_SCAN_AVX2:
        return tfd_skip_container_avx2(bytes, start, end);
    case TFD_SCAN_SSE2_CLMUL:
        return tfd_skip_container_sse2_clmul(bytes, start, end);
    case TFD_SCAN_SSE2:
        return tfd_skip_container_sse2(bytes, start, end);
#endif
    default:
        return tfd_skip_container_reference(bytes, start, end);
    }
}

int64_t tfd_scan_unit_ends(const uint8_t *bytes, int64_t length, int32_t unit_depth, tfd_scan_state *state,
                           int64_t *ends, int64_t capacity, int64_t *consumed) {
#if defined(__x86_64__)
    if (tfd_x86_has_avx512()) {
        return tfd_scan_unit_ends_avx512(bytes, length, unit_depth, state, ends, capacity, consumed);
    }
    if (tfd_x86_has_avx2()) {
        return tfd_scan_unit_ends_avx2(bytes, length, unit_depth, state, ends, capacity, consumed);
    }
    if (tfd_x86_has_clmul()) {
        return tfd_scan_unit_ends_sse2_clmul(bytes, length, unit_depth, state, ends, capacity, consumed);
    }
    return tfd_scan_unit_ends_sse2(bytes, length, unit_depth, state, ends, capacity, consumed);
#else
    return tfd_scan_unit_ends_reference(bytes, length, unit_depth, state, ends, capacity, consumed);
#endif
}

int64_t tfd_skip_container(const uint8_t *bytes, int64_t start, int64_t end) {
#if defined(__x86_64__)
    if (tfd_x86_has_avx512()) return tfd_skip_container_avx512(bytes, start, end);
    if (tfd_x86_has_avx2()) return tfd_skip_container_avx2(bytes, start, end);
    if (tfd_x86_has_clmul()) return tfd_skip_container_sse2_clmul(bytes, start, end);
    return tfd_skip_container_sse2(bytes, start, end);
#else
    return tfd_skip_container_reference(bytes, start, end);
#endif
}
