// libpci without its variadic calls and with a longjmp-safe error path.
#include "CLibPCI.h"
#include "timing.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int pci_read_guarded(struct pci_dev *d, int pos, int width, uint32_t *value, char *err, size_t errlen) {
    GUARD(-1)
    switch (width) {
    case 1: *value = pci_read_byte(d, pos); break;
    case 2: *value = pci_read_word(d, pos); break;
    default: *value = pci_read_long(d, pos); break;
    }
    pcitime_jump = NULL;
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

int pcitime_pci_block_readable(struct pci_dev *d, int pos, int len) {
    char err[1];
    size_t errlen = 0;
    GUARD(0)
    uint8_t buf[4096];
    int ok = len <= (int)sizeof buf && pci_read_block(d, pos, buf, len);
    pcitime_jump = NULL;
    return ok;
}

uint64_t pcitime_timed_pci_read(struct pci_dev *d, int pos, int width, int tsc, uint32_t *value, int *failed) {
    char err[1];
    int rc;
    uint64_t span = BY_CLOCK(tsc, rc = pci_read_guarded(d, pos, width, value, err, 0));
    *failed = rc != 0;
    return span;
}
