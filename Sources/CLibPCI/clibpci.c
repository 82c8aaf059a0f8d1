#define _GNU_SOURCE
#include "CLibPCI.h"

#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <sys/io.h>
#include <x86intrin.h>
#endif

// libpci's error callback must not return. pcitime is single-threaded where it
// talks to libpci, but keep the jump state per thread anyway.
static _Thread_local jmp_buf *pcitime_jump;
static _Thread_local char pcitime_message[512];

// Every call into libpci below sets pcitime_jump first, so the abort is
// unreachable; it is there because libpci requires a non-returning handler.
__attribute__((noreturn)) static void pcitime_error(char *msg, ...) {
    va_list args;
    va_start(args, msg);
    vsnprintf(pcitime_message, sizeof pcitime_message, msg, args);
    va_end(args);
    if (pcitime_jump)
        longjmp(*pcitime_jump, 1);
    fprintf(stderr, "pcitime: libpci: %s\n", pcitime_message);
    abort();
}

static void pcitime_quiet(char *msg, ...) { (void)msg; }

static void copy_message(char *err, size_t errlen) {
    if (err && errlen) {
        strncpy(err, pcitime_message, errlen - 1);
        err[errlen - 1] = 0;
    }
}

// Arms the error handler's jump for the rest of the function: a fatal libpci
// error lands back here, copies its message to err and returns `failed`.
#define GUARD(failed)                      \
    jmp_buf here;                          \
    pcitime_jump = &here;                  \
    if (setjmp(here)) {                    \
        pcitime_jump = NULL;               \
        copy_message(err, errlen);         \
        return failed;                     \
    }

struct pci_access *pcitime_pci_open(const char *method, const char *const *keys,
                                    const char *const *values, int count,
                                    char *err, size_t errlen) {
    int id = pci_lookup_method((char *)method);
    if (id < 0) {
        snprintf(err, errlen, "libpci has no method named '%s'", method);
        return NULL;
    }
    struct pci_access *acc = pci_alloc();
    acc->error = pcitime_error;
    acc->warning = pcitime_quiet;
    acc->debug = pcitime_quiet;
    acc->method = id;
    // On failure the access may be half initialised; libpci cannot clean it up safely.
    GUARD(NULL)
    for (int i = 0; i < count; i++) {
        if (pci_set_param(acc, (char *)keys[i], (char *)values[i]) != 0)
            pcitime_error("libpci has no parameter '%s'", (char *)keys[i]);
    }
    pci_init(acc);
    pcitime_jump = NULL;
    return acc;
}

void pcitime_pci_close(struct pci_access *acc) {
    if (acc)
        pci_cleanup(acc);
}

struct pci_access *pcitime_names_open(void) {
    struct pci_access *acc = pci_alloc();
    acc->error = pcitime_error;
    acc->warning = pcitime_quiet;
    acc->debug = pcitime_quiet;
    return acc;
}

int pcitime_pci_scan(struct pci_access *acc, char *err, size_t errlen) {
    GUARD(-1)
    pci_scan_bus(acc);
    pcitime_jump = NULL;
    return 0;
}

int pcitime_pci_read(struct pci_dev *d, int pos, int width, uint32_t *value, char *err, size_t errlen) {
    GUARD(-1)
    switch (width) {
    case 1: *value = pci_read_byte(d, pos); break;
    case 2: *value = pci_read_word(d, pos); break;
    default: *value = pci_read_long(d, pos); break;
    }
    pcitime_jump = NULL;
    return 0;
}

int pcitime_pci_write(struct pci_dev *d, int pos, int width, uint32_t value, char *err, size_t errlen) {
    GUARD(-1)
    int ok;
    switch (width) {
    case 1: ok = pci_write_byte(d, pos, (u8)value); break;
    case 2: ok = pci_write_word(d, pos, (u16)value); break;
    default: ok = pci_write_long(d, pos, value); break;
    }
    pcitime_jump = NULL;
    if (!ok) {
        snprintf(err, errlen, "libpci refused the write");
        return -1;
    }
    return 0;
}

// pci_lookup_name falls back to "Device 1234" style text when pci.ids has no
// entry; PCI_LOOKUP_NO_NUMBERS makes it return NULL instead.
#define LOOKUP(flags, ...)                                                          \
    do {                                                                            \
        jmp_buf here;                                                               \
        pcitime_jump = &here;                                                       \
        if (setjmp(here)) {                                                         \
            pcitime_jump = NULL;                                                    \
            return NULL;                                                            \
        }                                                                           \
        const char *r = pci_lookup_name(acc, buf, (int)size, (flags) | PCI_LOOKUP_NO_NUMBERS, __VA_ARGS__); \
        pcitime_jump = NULL;                                                        \
        return r;                                                                   \
    } while (0)

const char *pcitime_lookup_vendor(struct pci_access *acc, char *buf, size_t size, int vendor) {
    LOOKUP(PCI_LOOKUP_VENDOR, vendor);
}
const char *pcitime_lookup_device(struct pci_access *acc, char *buf, size_t size, int vendor, int device) {
    LOOKUP(PCI_LOOKUP_DEVICE, vendor, device);
}
const char *pcitime_lookup_subsystem(struct pci_access *acc, char *buf, size_t size,
                                     int vendor, int device, int subvendor, int subdevice) {
    LOOKUP(PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, vendor, device, subvendor, subdevice);
}
const char *pcitime_lookup_class(struct pci_access *acc, char *buf, size_t size, int class_id) {
    LOOKUP(PCI_LOOKUP_CLASS, class_id);
}
const char *pcitime_lookup_progif(struct pci_access *acc, char *buf, size_t size, int class_id, int progif) {
    LOOKUP(PCI_LOOKUP_PROGIF, class_id, progif);
}

#if defined(__x86_64__) || defined(__i386__)

int pcitime_ioperm(unsigned long from, unsigned long num, int on) {
    return ioperm(from, num, on) == 0 ? 0 : errno;
}
uint8_t pcitime_inb(uint16_t port) { return inb(port); }
uint16_t pcitime_inw(uint16_t port) { return inw(port); }
uint32_t pcitime_inl(uint16_t port) { return inl(port); }
void pcitime_outb(uint8_t value, uint16_t port) { outb(value, port); }
void pcitime_outw(uint16_t value, uint16_t port) { outw(value, port); }
void pcitime_outl(uint32_t value, uint16_t port) { outl(value, port); }

uint32_t pcitime_conf1_read(uint32_t address, int pos, int width) {
    outl(address, 0xCF8);
    uint16_t port = (uint16_t)(0xCFC + (pos & 3));
    switch (width) {
    case 1: return inb(port);
    case 2: return inw(port);
    default: return inl(0xCFC);
    }
}

void pcitime_conf1_write(uint32_t address, int pos, int width, uint32_t value) {
    outl(address, 0xCF8);
    uint16_t port = (uint16_t)(0xCFC + (pos & 3));
    switch (width) {
    case 1: outb((uint8_t)value, port); break;
    case 2: outw((uint16_t)value, port); break;
    default: outl(value, 0xCFC); break;
    }
}

uint64_t pcitime_tsc(void) {
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}

int pcitime_tsc_invariant(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007)
        return 0;
    __get_cpuid(0x80000007, &a, &b, &c, &d);
    return (d >> 8) & 1;
}

#else

int pcitime_ioperm(unsigned long from, unsigned long num, int on) { return ENOSYS; }
uint8_t pcitime_inb(uint16_t port) { return 0xff; }
uint16_t pcitime_inw(uint16_t port) { return 0xffff; }
uint32_t pcitime_inl(uint16_t port) { return 0xffffffff; }
void pcitime_outb(uint8_t value, uint16_t port) {}
void pcitime_outw(uint16_t value, uint16_t port) {}
void pcitime_outl(uint32_t value, uint16_t port) {}
uint32_t pcitime_conf1_read(uint32_t address, int pos, int width) { return 0xffffffff; }
void pcitime_conf1_write(uint32_t address, int pos, int width, uint32_t value) {}
uint64_t pcitime_tsc(void) { return 0; }
int pcitime_tsc_invariant(void) { return 0; }

#endif

static inline __attribute__((always_inline)) uint64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
static inline __attribute__((always_inline)) uint64_t fenced_tsc(void) {
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}
#else
static inline uint64_t fenced_tsc(void) { return 0; }
#endif

static inline uint64_t now(int tsc) { return tsc ? fenced_tsc() : monotonic_ns(); }

uint64_t pcitime_now(int tsc) { return now(tsc); }

// Every choice (clock, width) is made before the first clock read: a branch
// inside the window ends a translation block under TCG and costs as much as
// the access being measured.
#define SPAN(clock, access) ({ uint64_t t0_ = clock(); access; clock() - t0_; })
#define BY_CLOCK(tsc, access) ((tsc) ? SPAN(fenced_tsc, access) : SPAN(monotonic_ns, access))

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

uint64_t pcitime_timed_conf1(uint32_t address, int pos, int width, int tsc, uint32_t *value) {
#if defined(__x86_64__) || defined(__i386__)
    uint16_t port = (uint16_t)(0xCFC + (pos & 3));
    uint32_t v;
    uint64_t d;
    switch (width) {
    case 1: d = BY_CLOCK(tsc, (outl(address, 0xCF8), v = inb(port))); break;
    case 2: d = BY_CLOCK(tsc, (outl(address, 0xCF8), v = inw(port))); break;
    default: d = BY_CLOCK(tsc, (outl(address, 0xCF8), v = inl(0xCFC))); break;
    }
    *value = v;
    return d;
#else
    *value = 0xffffffff;
    return 0;
#endif
}

uint64_t pcitime_timed_pread(int fd, long offset, int width, int tsc, uint32_t *value, long *result) {
    uint32_t v = 0;
    ssize_t n;
    uint64_t d = BY_CLOCK(tsc, n = pread(fd, &v, (size_t)width, (off_t)offset));
    *result = n < 0 ? -(long)errno : (long)n;
    *value = v;
    return d;
}

uint64_t pcitime_timed_pci_read(struct pci_dev *d, int pos, int width, int tsc, uint32_t *value, int *failed) {
    char err[1];
    int rc;
    uint64_t span = BY_CLOCK(tsc, rc = pcitime_pci_read(d, pos, width, value, err, 0));
    *failed = rc != 0;
    return span;
}

static volatile sig_atomic_t pcitime_signal_number;

void pcitime_note_signal(int sig) { pcitime_signal_number = sig; }

int pcitime_caught_signal(void) { return pcitime_signal_number; }

void pcitime_clear_signal(void) { pcitime_signal_number = 0; }

int pcitime_pin_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : errno;
}

int pcitime_current_cpu(void) { return sched_getcpu(); }

