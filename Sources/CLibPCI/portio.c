// Type-1 configuration access: address to port 0xCF8, data at 0xCFC.
#include "CLibPCI.h"
#include "timing.h"

#include <errno.h>
#if defined(__x86_64__) || defined(__i386__)
#include <sys/io.h>

int pcitime_ioperm(unsigned long from, unsigned long num, int on) {
    return ioperm(from, num, on) == 0 ? 0 : errno;
}
uint32_t pcitime_inl(uint16_t port) { return inl(port); }
void pcitime_outl(uint32_t value, uint16_t port) { outl(value, port); }

uint64_t pcitime_timed_conf1(uint32_t address, int pos, int width, int tsc, uint32_t *value) {
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
}

#else

int pcitime_ioperm(unsigned long from, unsigned long num, int on) { return ENOSYS; }
uint32_t pcitime_inl(uint16_t port) { return 0xffffffff; }
void pcitime_outl(uint32_t value, uint16_t port) {}
uint64_t pcitime_timed_conf1(uint32_t address, int pos, int width, int tsc, uint32_t *value) {
    *value = 0xffffffff;
    return 0;
}

#endif
