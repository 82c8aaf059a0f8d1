/*
 * cref: C reference loop for pcitime's per-access latency.
 *
 * Does the same config-space reads pcitime does (dwords at 0x00..0x3C of one
 * function) through one mechanism, times each access with rdtsc, and prints
 * one JSON line with median/min/p99 ns per access. Used to tell pcitime's own
 * overhead apart from the cost of the access itself.
 *
 *   cref sysfs BDF [N]              pread(4) on /sys/bus/pci/devices/BDF/config
 *   cref ecam  BDF [N] [BASE]       mmap /dev/mem (needs iomem=relaxed), 32-bit loads
 *   cref pio   BDF [N]              ioperm + outl 0xCF8 / inl 0xCFC (type 1)
 *   cref tsc-khz                    print the TSC frequency in kHz (calibrated)
 *   cref ecam-brute [PASSES] [BASE] probe every device of buses START..255 through ECAM
 *                                   as 'pcitime scan --method mmio --brute' does (vendor
 *                                   dword of function 0, functions 1-7 when 0 is
 *                                   multi-function), PASSES times; prints accesses/s
 *   cref time CMD [ARG...]          run CMD, print its wall time in ns (busybox has no
 *                                   fine-grained time)
 *
 * N = samples per register (default 1000). BDF = 0000:BB:DD.F (or BB:DD.F).
 * ECAM BASE (hex physical address of bus 0 ... of segment 0) defaults to the
 * MCFG table, else the "PCI ECAM"/"PCI MMCONFIG" line of /proc/iomem.
 * Build: gcc -O2 -static -o cref cref.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned seg, bus, dev, fn;

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    /* lfence on both sides: rdtsc must not move across the timed access. */
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* TSC ticks per ns, against CLOCK_MONOTONIC over ~200 ms of busy waiting. */
static double calibrate(void)
{
    double n0 = now_ns();
    uint64_t t0 = tsc();
    while (now_ns() - n0 < 2e8)
        ;
    uint64_t t1 = tsc();
    double n1 = now_ns();
    return (double)(t1 - t0) / (n1 - n0);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void die(const char *what)
{
    fprintf(stderr, "cref: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* ECAM base for segment 0: MCFG first (q35), then /proc/iomem (microvm: _CBA). */
static uint64_t ecam_base(unsigned *start_bus)
{
    FILE *f = fopen("/sys/firmware/acpi/tables/MCFG", "rb");
    if (f) {
        unsigned char t[256];
        size_t n = fread(t, 1, sizeof t, f);
        fclose(f);
        /* 36-byte ACPI header + 8 reserved, then 16-byte entries. */
        for (size_t o = 44; o + 16 <= n; o += 16) {
            uint64_t base;
            uint16_t s;
            memcpy(&base, t + o, 8);
            memcpy(&s, t + o + 8, 2);
            if (s == seg) {
                *start_bus = t[o + 10];
                return base;
            }
        }
    }
    f = fopen("/proc/iomem", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            unsigned long long a;
            unsigned sb;
            char *p = strstr(line, "PCI ECAM");
            if (!p)
                p = strstr(line, "PCI MMCONFIG");
            if (!p || sscanf(line, " %llx", &a) != 1)
                continue;
            char *b = strstr(p, "[bus ");
            *start_bus = (b && sscanf(b, "[bus %x", &sb) == 1) ? sb : 0;
            fclose(f);
            return a;
        }
        fclose(f);
    }
    fprintf(stderr, "cref: no ECAM base found (give it as 4th argument)\n");
    exit(1);
}

/* The brute-force bus scan, probes only: a C floor for pcitime's --brute. */
static int ecam_brute(long passes, uint64_t base, unsigned sb)
{
    int fd = open("/dev/mem", O_RDONLY | O_SYNC);
    if (fd < 0)
        die("/dev/mem");
    size_t len = (size_t)(256 - sb) << 20;
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)base);
    if (m == MAP_FAILED)
        die("mmap /dev/mem");
    volatile uint32_t *w = m;
    long accesses = 0, present = 0;
    uint32_t sum = 0;
    double t0 = now_ns();
    for (long p = 0; p < passes; p++) {
        for (unsigned b = 0; b < 256 - sb; b++) {
            for (unsigned d = 0; d < 32; d++) {
                size_t f0 = ((size_t)b << 20 | d << 15) / 4;
                uint32_t id = w[f0];
                accesses++;
                if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
                    continue;
                present++;
                uint32_t hdr = w[f0 + 0x0c / 4];
                accesses++;
                sum += id;
                if (!(hdr & 0x800000))
                    continue;
                for (unsigned f = 1; f < 8; f++) {
                    uint32_t v = w[((size_t)b << 20 | d << 15 | f << 12) / 4];
                    accesses++;
                    sum += v;
                    if ((v & 0xffff) != 0xffff && (v & 0xffff) != 0)
                        present++;
                }
            }
        }
    }
    double t1 = now_ns();
    printf("{\"tool\":\"cref\",\"mode\":\"ecam-brute\",\"buses\":%u,\"passes\":%ld,\"accesses\":%ld,"
           "\"present_per_pass\":%ld,\"seconds\":%.6f,\"accesses_per_s\":%.0f,\"ns_per_access\":%.1f,\"sum\":\"0x%08x\"}\n",
           256 - sb, passes, accesses, present / passes, (t1 - t0) / 1e9, accesses / ((t1 - t0) / 1e9),
           (t1 - t0) / accesses, sum);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "tsc-khz")) {
        printf("%.0f\n", calibrate() * 1e6);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "ecam-brute")) {
        unsigned sb = 0;
        long passes = argc > 2 ? atol(argv[2]) : 1;
        uint64_t b = argc > 3 ? strtoull(argv[3], NULL, 16) : ecam_base(&sb);
        return ecam_brute(passes < 1 ? 1 : passes, b, sb);
    }
    if (argc >= 3 && !strcmp(argv[1], "time")) {
        double t0 = now_ns();
        pid_t pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, 1);
            execvp(argv[2], argv + 2);
            _exit(127);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        printf("{\"tool\":\"cref\",\"mode\":\"time\",\"wall_ns\":%.0f,\"status\":%d}\n", now_ns() - t0,
               WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: cref sysfs|ecam|pio BDF [N] [ECAM_BASE] | cref tsc-khz\n");
        return 2;
    }
    const char *mode = argv[1], *bdf = argv[2];
    if (sscanf(bdf, "%x:%x:%x.%x", &seg, &bus, &dev, &fn) != 4) {
        seg = 0;
        if (sscanf(bdf, "%x:%x.%x", &bus, &dev, &fn) != 3) {
            fprintf(stderr, "cref: bad BDF %s\n", bdf);
            return 2;
        }
    }
    long n = argc > 3 ? atol(argv[3]) : 1000;
    if (n < 1)
        n = 1;
    enum { REGS = 16 }; /* dwords 0x00..0x3C */

    int fd = -1;
    volatile uint32_t *ecam = NULL;
    uint64_t base = 0;
    char path[128];
    if (!strcmp(mode, "sysfs")) {
        snprintf(path, sizeof path, "/sys/bus/pci/devices/%04x:%02x:%02x.%x/config", seg, bus, dev, fn);
        if ((fd = open(path, O_RDONLY)) < 0)
            die(path);
    } else if (!strcmp(mode, "ecam")) {
        unsigned sb = 0;
        base = argc > 4 ? strtoull(argv[4], NULL, 16) : ecam_base(&sb);
        uint64_t pa = base + ((uint64_t)(bus - sb) << 20 | dev << 15 | fn << 12);
        if ((fd = open("/dev/mem", O_RDONLY | O_SYNC)) < 0)
            die("/dev/mem");
        void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, (off_t)pa);
        if (m == MAP_FAILED)
            die("mmap /dev/mem");
        ecam = m;
        base = pa;
    } else if (!strcmp(mode, "pio")) {
        if (ioperm(0xCF8, 8, 1) < 0)
            die("ioperm 0xCF8");
    } else {
        fprintf(stderr, "cref: unknown mode %s\n", mode);
        return 2;
    }

    double tpn = calibrate();
    uint64_t *d = malloc(sizeof *d * n * REGS);
    if (!d)
        die("malloc");

    /* Timer overhead: median of back-to-back rdtsc pairs, subtracted below. */
    for (long i = 0; i < n * REGS; i++) {
        uint64_t a = tsc(), b = tsc();
        d[i] = b - a;
    }
    qsort(d, n * REGS, sizeof *d, cmp_u64);
    uint64_t ovh = d[n * REGS / 2];

    /* CREF_TOUCH=N: between accesses (untimed) write to N distinct pages of a
     * 64 MiB buffer, as a larger program does between its accesses. Under
     * TCG this shows what evicted softmmu TLB entries add to each access. */
    long touch = getenv("CREF_TOUCH") ? atol(getenv("CREF_TOUCH")) : 0;
    unsigned char *junk = touch > 0 ? calloc(1, 64 << 20) : NULL;
    long cursor = 0;
    uint32_t first = 0, sum = 0;
    long k = 0;
    for (long s = 0; s < n; s++) {
        for (unsigned r = 0; r < REGS; r++) {
            unsigned off = r * 4;
            uint32_t v = 0;
            uint64_t a, b;
            if (ecam) {
                a = tsc();
                v = ecam[off / 4];
                b = tsc();
            } else if (fd >= 0) {
                a = tsc();
                ssize_t got = pread(fd, &v, 4, off);
                b = tsc();
                if (got != 4)
                    die("pread");
            } else {
                uint32_t addr = 0x80000000u | bus << 16 | dev << 11 | fn << 8 | off;
                a = tsc();
                outl(addr, 0xCF8);
                v = inl(0xCFC);
                b = tsc();
            }
            for (long t = 0; junk && t < touch; t++, cursor = (cursor + 4096 + 64) % (64 << 20))
                junk[cursor]++;
            if (s == 0 && r == 0)
                first = v;
            sum += v;
            d[k++] = b - a > ovh ? b - a - ovh : 0;
        }
    }
    qsort(d, k, sizeof *d, cmp_u64);
    printf("{\"tool\":\"cref\",\"mode\":\"%s\",\"bdf\":\"%04x:%02x:%02x.%x\",\"samples\":%ld,"
           "\"accesses\":%ld,\"median_ns\":%.1f,\"min_ns\":%.1f,\"p99_ns\":%.1f,"
           "\"timer_overhead_ns\":%.1f,\"tsc_khz\":%.0f,\"dword0\":\"0x%08x\",\"sum\":\"0x%08x\"",
           mode, seg, bus, dev, fn, n, k, d[k / 2] / tpn, d[0] / tpn, d[k * 99 / 100] / tpn,
           ovh / tpn, tpn * 1e6, first, sum);
    if (ecam)
        printf(",\"phys\":\"0x%llx\"", (unsigned long long)base);
    printf("}\n");
    return 0;
}
