// Clocks and the timed accesses that are one load or one system call.
#include "CLibPCI.h"
#include "timing.h"

#include <errno.h>
#include <sys/klog.h>
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

uint64_t pcitime_tsc_hz_cpuid(int *leaf) {
    *leaf = 0;
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    // Leaf 0x15: TSC = crystal (ECX Hz) * EBX / EAX; any zero means "not stated".
    if (__get_cpuid_max(0, 0) >= 0x15) {
        __cpuid_count(0x15, 0, a, b, c, d);
        if (a && b && c) { *leaf = 0x15; return (uint64_t)c * b / a; }
    }
    // Hypervisor leaves: present only when CPUID.1:ECX bit 31 says a hypervisor runs.
    __cpuid(1, a, b, c, d);
    if (c >> 31) {
        __cpuid(0x40000000, a, b, c, d);
        if (a >= 0x40000010) {
            __cpuid(0x40000010, a, b, c, d);
            if (a) { *leaf = 0x40000010; return (uint64_t)a * 1000; }
        }
    }
#endif
    return 0;
}

long pcitime_klog_read(char *buf, size_t size) {
    int n = klogctl(3, buf, (int)size);  // SYSLOG_ACTION_READ_ALL
    return n < 0 ? -errno : n;
}

long pcitime_klog_size(void) { return klogctl(10, NULL, 0); }  // SYSLOG_ACTION_SIZE_BUFFER

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
