// Signals, processors, openat2 and pipe2: what SignalTrap, CPUAffinity,
// MachineRoot and Subprocess need from libc and the kernel.
#define _GNU_SOURCE
#include "CLibPCI.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

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


// struct open_how and RESOLVE_IN_ROOT as <linux/openat2.h> has them (Linux
// 5.6); spelled out so that older headers build too.
struct pcitime_open_how {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};
#define PCITIME_RESOLVE_NO_MAGICLINKS 0x02
#define PCITIME_RESOLVE_IN_ROOT 0x10

int pcitime_openat2_in_root(int dirfd, const char *path, int flags) {
#ifdef SYS_openat2
    struct pcitime_open_how how = {
        .flags = (uint64_t)(unsigned)flags,
        .mode = 0,
        .resolve = PCITIME_RESOLVE_IN_ROOT | PCITIME_RESOLVE_NO_MAGICLINKS,
    };
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    return fd >= 0 ? (int)fd : -errno;
#else
    (void)dirfd; (void)path; (void)flags;
    return -ENOSYS;
#endif
}

int pcitime_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
