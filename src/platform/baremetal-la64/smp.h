// Secondary cores. The boot code that parks them (QEMU's -kernel boot code, or the firmware under
// UEFI; both wait in `idle` for an IPI and then jump to the address in IOCSR mailbox 0, the
// protocol Linux uses too) is sent to bmbt_secondary_entry (head.S). Each core then runs BMBT's
// code on its own stack, reports its CPUID through shared memory and parks in `idle`, woken by
// IPIs to run work posted in its slot.
#pragma once
#include "support/types.h"

namespace bmbt::baremetal {

using CpuWork = u64 (*)(u64 arg);

// Starts every core of `cpu_ids` other than this one; returns how many reported within the
// timeout. Prints one line per core.
u32 smp_start_secondaries(const u32* cpu_ids, u32 count);
bool smp_cpu_running(u32 cpu_id);
// Runs fn(arg) on core `cpu_id` and waits (bounded) for its result; false if it did not finish.
bool smp_run_on(u32 cpu_id, CpuWork fn, u64 arg, u64* result);
u32 smp_this_cpu();
// Starts the secondaries (if any), gives each one work item and reports both on the console.
void smp_init(const u32* cpu_ids, u32 count);

}  // namespace bmbt::baremetal
