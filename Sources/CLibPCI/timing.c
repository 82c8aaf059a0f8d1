// Clocks and the timed accesses that are one load or one system call.
#include "CLibPCI.h"
#include "timing.h"

#include <errno.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

uint64_t pcitime_tsc(void) { return fenced_tsc(); }

int pcitime_tsc_invariant(void) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007)
        return 0;
    __get_cpuid(0x80000007, &a, &b, &c, &d);
    return (d >> 8) & 1;
#else
    return 0;
#endif
}

static inline uint64_t now(int tsc) { return tsc ? fenced_tsc() : monotonic_ns(); }

uint64_t pcitime_now(int tsc) { return now(tsc); }

uint64_t pcitime_timed_nothing(int tsc) { return BY_CLOCK(tsc, (void)0); }

uint64_t pcitime_timed_mmio(const volatile void *p, int width, int tsc, uint32_t *value) {
    // The value stays in a register until both clock reads are done: a store
    // through `value` inside the window would be one more memory access.
    uint32_t v;
    uint64_t d;
    switch (width) {
    case 1: d = BY_CLOCK(tsc, v = *(const volatile uint8_t *)p); break;
    case 2: d = BY_CLOCK(tsc, v = *(const volatile uint16_t *)p); break;
    default: d = BY_CLOCK(tsc, v = *(const volatile uint32_t *)p); break;
    }
    *value = v;
    return d;
}

uint64_t pcitime_timed_pread(int fd, long offset, int width, int tsc, uint32_t *value, long *result) {
    uint32_t v = 0;
    ssize_t n;
    uint64_t d = BY_CLOCK(tsc, n = pread(fd, &v, (size_t)width, (off_t)offset));
    *result = n < 0 ? -(long)errno : (long)n;
    *value = v;
    return d;
}
