#ifndef CJSONSCAN_X86_H
#define CJSONSCAN_X86_H

#include "CJSONScan.h"

// The vectorised kernels (scan_x86.c). Each keeps the contract of CJSONScan.h exactly.

#if defined(__x86_64__)
/// 1 when the CPU supports PCLMULQDQ and POPCNT.
int32_t tfd_x86_has_clmul(void);
/// 1 when the CPU (and the OS, for the wide registers) supports AVX2, PCLMULQDQ, POPCNT and BMI1.
int32_t tfd_x86_has_avx2(void);
/// 1 when, in addition, it supports AVX-512F/BW and VBMI2 (see scan_x86.c for why VBMI2).
int32_t tfd_x86_has_avx512(void);

int64_t tfd_scan_unit_ends_sse2(const uint8_t *bytes, int64_t length, int32_t unit_depth, tfd_scan_state *state,
                                int64_t *ends, int64_t capacity, int64_t *consumed);
int64_t tfd_skip_container_sse2(const uint8_t *bytes, int64_t start, int64_t end);

/// Only when tfd_x86_has_clmul().
int64_t tfd_scan_unit_ends_sse2_clmul(const uint8_t *bytes, int64_t length, int32_t unit_depth,
                                      tfd_scan_state *state, int64_t *ends, int64_t capacity, int64_t *consumed);
/// Only when tfd_x86_has_clmul().
int64_t tfd_skip_container_sse2_clmul(const uint8_t *bytes, int64_t start, int64_t end);

/// Only when tfd_x86_has_avx2().
int64_t tfd_scan_unit_ends_avx2(const uint8_t *bytes, int64_t length, int32_t unit_depth, tfd_scan_state *state,
                                int64_t *ends, int64_t capacity, int64_t *consumed);
/// Only when tfd_x86_has_avx2().
int64_t tfd_skip_container_avx2(const uint8_t *bytes, int64_t start, int64_t end);

/// Only when tfd_x86_has_avx512().
int64_t tfd_scan_unit_ends_avx512(const uint8_t *bytes, int64_t length, int32_t unit_depth, tfd_scan_state *state,
                                  int64_t *ends, int64_t capacity, int64_t *consumed);
/// Only when tfd_x86_has_avx512().
int64_t tfd_skip_container_avx512(const uint8_t *bytes, int64_t start, int64_t end);
#endif

#endif
