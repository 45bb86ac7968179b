#ifndef CJSONSCAN_KERNELS_H
#define CJSONSCAN_KERNELS_H

#include "CJSONScan.h"

// The implementations behind CJSONScan.h, each callable by name so the tests can hold every one of them
// to the reference and the benchmark can time them side by side. Production code calls the two functions
// of CJSONScan.h, which pick the fastest kernel this CPU runs.

/// The kernels. Every kernel gives results identical to TFD_SCAN_REFERENCE for every input and state.
typedef enum {
    /// One byte at a time; the specification, and the implementation on other architectures.
    TFD_SCAN_REFERENCE = 0,
    /// 64-byte blocks with SSE2 only (the x86_64 baseline, every x86_64 CPU).
    TFD_SCAN_SSE2 = 1,
    /// 64-byte blocks with SSE2, PCLMULQDQ and POPCNT (x86_64 CPUs since about 2010).
    TFD_SCAN_SSE2_CLMUL = 2,
    /// 64-byte blocks with AVX2, PCLMULQDQ, POPCNT and BMI1 (x86_64 CPUs since about 2013-2015).
    TFD_SCAN_AVX2 = 3,
    /// 64-byte blocks with AVX-512BW (and the above), on CPUs that also have VBMI2 (Ice Lake, Zen 4, later).
    TFD_SCAN_AVX512 = 4,
} tfd_scan_kernel;

/// 1 when this build and this CPU can run `kernel`, else 0.
int32_t tfd_scan_kernel_available(tfd_scan_kernel kernel);

/// The kernel tfd_scan_unit_ends and tfd_skip_container use on this CPU.
tfd_scan_kernel tfd_scan_kernel_selected(void);

/// tfd_scan_unit_ends with the given kernel (the reference when that kernel is not available).
int64_t tfd_scan_unit_ends_with(tfd_scan_kernel kernel, const uint8_t *bytes, int64_t length, int32_t unit_depth,
                                tfd_scan_state *state, int64_t *ends, int64_t capacity, int64_t *consumed);

/// tfd_skip_container with the given kernel (the reference when that kernel is not available).
int64_t tfd_skip_container_with(tfd_scan_kernel kernel, const uint8_t *bytes, int64_t start, int64_t end);

int64_t tfd_scan_unit_ends_reference(const uint8_t *bytes, int64_t length, int32_t unit_depth,
                                     tfd_scan_state *state, int64_t *ends, int64_t capacity, int64_t *consumed);
int64_t tfd_skip_container_reference(const uint8_t *bytes, int64_t start, int64_t end);

#endif
