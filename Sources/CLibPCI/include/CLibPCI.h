// What Swift cannot express or import: libpci's variadic and longjmp-based
// error paths, x86 port I/O, a serialising TSC read and volatile MMIO loads.
#ifndef PCITIME_CLIBPCI_H
#define PCITIME_CLIBPCI_H

#include <stdint.h>
#include <stddef.h>
#include <pci/pci.h>

// ---- libpci ---------------------------------------------------------------

// Opens a libpci access through the method named `method` (libpci's own names:
// "linux-sysfs", "intel-conf1", "dump"...). `params` holds `count` key/value
// pairs ("sysfs.path", "dump.name"...). libpci reports fatal errors through a
// variadic callback that must not return; this wrapper turns that into NULL
// and a message in `err`.
struct pci_access *pcitime_pci_open(const char *method, const char *const *keys,
                                    const char *const *values, int count,
                                    char *err, size_t errlen);
void pcitime_pci_close(struct pci_access *acc);

// A libpci access used only for pci.ids names (no method is initialised).
struct pci_access *pcitime_names_open(void);

// 1 when libpci's method holds `len` bytes at `pos` (pci_read_block succeeds;
// a dump holds what lspci -x printed, 64, 256 or 4096 bytes), else 0.
int pcitime_pci_block_readable(struct pci_dev *d, int pos, int len);

// Lists the functions libpci's method knows (pci_scan_bus); 0, or -1 with a message.
int pcitime_pci_scan(struct pci_access *acc, char *err, size_t errlen);

// Non-variadic faces of pci_lookup_name. Each returns buf, or NULL when
// pci.ids has no entry (the caller then prints numbers, as lspci -n).
const char *pcitime_lookup_vendor(struct pci_access *acc, char *buf, size_t size, int vendor);
const char *pcitime_lookup_device(struct pci_access *acc, char *buf, size_t size, int vendor, int device);
const char *pcitime_lookup_subsystem(struct pci_access *acc, char *buf, size_t size,
                                     int vendor, int device, int subvendor, int subdevice);
const char *pcitime_lookup_class(struct pci_access *acc, char *buf, size_t size, int class_id);
const char *pcitime_lookup_progif(struct pci_access *acc, char *buf, size_t size, int class_id, int progif);

// ---- x86 port I/O -----------------------------------------------------------

// 0 on success, else errno (ENOSYS: kernel without CONFIG_X86_IOPL_IOPERM).
int pcitime_ioperm(unsigned long from, unsigned long num, int on);
uint32_t pcitime_inl(uint16_t port);
void pcitime_outl(uint32_t value, uint16_t port);


// ---- time -------------------------------------------------------------------

// Timed accesses: clock, access, clock in one C function, so nothing of
// Swift's (dynamic dispatch, closures, bounds checks) lands between the two
// clock reads. `tsc` selects lfence;rdtsc (ticks) or CLOCK_MONOTONIC (ns).
// Each returns the elapsed clock units and stores what was read.
uint64_t pcitime_now(int tsc);
// Two clock reads with nothing between: the timer's own cost.
uint64_t pcitime_timed_nothing(int tsc);
uint64_t pcitime_timed_mmio(const volatile void *p, int width, int tsc, uint32_t *value);
uint64_t pcitime_timed_conf1(uint32_t address, int pos, int width, int tsc, uint32_t *value);
// *result: bytes read, or -errno.
uint64_t pcitime_timed_pread(int fd, long offset, int width, int tsc, uint32_t *value, long *result);
// *failed: 1 when libpci raised a fatal error (its message is dropped).
uint64_t pcitime_timed_pci_read(struct pci_dev *d, int pos, int width, int tsc, uint32_t *value, int *failed);

// lfence; rdtsc: the fence keeps earlier loads from drifting past the read.
uint64_t pcitime_tsc(void);
// 1 when the CPU reports an invariant TSC (CPUID 0x80000007 EDX bit 8).
int pcitime_tsc_invariant(void);
// TSC ticks per second from CPUID leaf 0x15 or the hypervisor's 0x40000010
// (KVM, VMware); 0 when neither states it. *leaf: the leaf that did.
uint64_t pcitime_tsc_hz_cpuid(int *leaf);
// The kernel's ring buffer in one syscall (klogctl), not /dev/kmsg's one
// record per read: its size (<= 0: unreadable), and up to `size` bytes of it
// (-errno on failure).
long pcitime_klog_size(void);
long pcitime_klog_read(char *buf, size_t size);

// The signal handler SignalTrap installs: it only records the number (so it
// is async-signal-safe); long jobs poll it between steps and clean up in
// ordinary code. 0 while none has arrived.
void pcitime_note_signal(int sig);
int pcitime_caught_signal(void);
void pcitime_clear_signal(void);

// Pins the calling thread to one CPU (sched_setaffinity); 0 or errno.
int pcitime_pin_cpu(int cpu);
// The CPU the caller runs on (sched_getcpu), or -1.
int pcitime_current_cpu(void);

// ---- files ------------------------------------------------------------------

// openat2(dirfd, path, flags) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS:
// absolute links and ".." stay inside dirfd's tree. The descriptor, or
// -errno (-ENOSYS: a kernel before 5.6, or openat2 filtered).
int pcitime_openat2_in_root(int dirfd, const char *path, int flags);
// O_PATH, which glibc's <fcntl.h> shows only under _GNU_SOURCE.
#define PCITIME_O_PATH 010000000
// pipe2(fds, O_CLOEXEC), which glibc declares only under _GNU_SOURCE: 0 or -1 and errno.
int pcitime_pipe_cloexec(int fds[2]);

#endif
