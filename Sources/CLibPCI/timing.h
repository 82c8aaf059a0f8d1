// The clocks every timed access reads, inlined so the timed window holds the
// access and nothing else.
#ifndef PCITIME_TIMING_H
#define PCITIME_TIMING_H

#include <stdint.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

static inline __attribute__((always_inline)) uint64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
// lfence on both sides: rdtsc is not ordered with the loads around it.
static inline __attribute__((always_inline)) uint64_t fenced_tsc(void) {
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}
#else
static inline uint64_t fenced_tsc(void) { return 0; }
#endif

// Every choice (clock, width) is made before the first clock read: a branch
// inside the window ends a translation block under TCG and costs as much as
// the access being measured.
#define SPAN(clock, access) ({ uint64_t t0_ = clock(); access; clock() - t0_; })
#define BY_CLOCK(tsc, access) ((tsc) ? SPAN(fenced_tsc, access) : SPAN(monotonic_ns, access))

#endif
