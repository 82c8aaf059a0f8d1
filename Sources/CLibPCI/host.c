// Signals and processors: what SignalTrap and CPUAffinity need from libc.
#define _GNU_SOURCE
#include "CLibPCI.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>

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

