#include "smp.h"

#include "board.h"
#include "csr.h"
#include "memory.h"
#include "support/log.h"
#include "timer.h"
#include "trap.h"

extern "C" char bmbt_secondary_entry[], bmbt_trap_vector[], bmbt_tlb_refill_vector[];
extern "C" bmbt::u64 bmbt_secondary_stacks[BMBT_MAX_CPUS];  // head.S reads it by CPUID

namespace bmbt::baremetal {

namespace {
constexpr u64 kStackBytes = 64 * 1024;
constexpr u64 kTrapStackBytes = 32 * 1024;
constexpr u64 kStartTimeoutUs = 5000000;
constexpr u64 kStartRetryUs = 20000;
constexpr u64 kWorkTimeoutUs = 1000000;
constexpr u32 kIpiWake = 0;  // IPI vector used to wake a parked core (the boot protocol's too)

// Shared between CPU 0 and one secondary; each field has one writer.
struct CpuSlot {
  volatile u64 trap_stack_top;  // CPU 0
  volatile u32 started;         // secondary: 1 once it runs BMBT's code
  volatile u32 reported_id;     // secondary: its CPUID
  volatile u64 reported_sp;     // secondary: an address on the stack it runs on
  volatile u64 work_fn;         // CPU 0 posts, the secondary clears when it takes it
  volatile u64 work_arg;
  volatile u64 work_result;     // secondary
  volatile u64 work_done;       // secondary: number of finished work items
};
CpuSlot g_slots[BMBT_MAX_CPUS];

void barrier() { __asm__ volatile("dbar 0" ::: "memory"); }

// IOCSR send registers reach other cores: a mailbox write goes in two 32-bit halves (high half
// first, so the low half, which the boot code tests for non-zero, arrives complete).
void mail_send(u32 cpu, u32 mailbox, u64 data) {
  u64 base = (u64(1) << 31) | (u64(cpu) << 16);
  iocsr_write64(kIocsrMailSend, base | (u64(mailbox * 2 + 1) << 2) | (data & 0xffffffff00000000ull));
  iocsr_write64(kIocsrMailSend, base | (u64(mailbox * 2) << 2) | (data << 32));
}

void ipi_send(u32 cpu, u32 vector) { iocsr_write32(kIocsrIpiSend, (1u << 31) | (cpu << 16) | vector); }

bool wait_until(volatile u32* flag, u64 timeout_us) {
  u64 end = timer_counter() + timeout_us * (kTimerHz / 1000000);
  while (!*flag) {
    if (timer_counter() > end) return false;
  }
  return true;
}

u64 current_sp() {
  u64 sp;
  __asm__ volatile("move %0, $sp" : "=r"(sp));
  return sp;
}
}  // namespace

namespace {
// The work CPU 0 sends each started core: its answer can only come from that core (CPUID is per core).
u64 identify(u64 arg) { return (u64(smp_this_cpu()) << 32) | (arg + 1); }
}  // namespace

void smp_init(const u32* cpu_ids, u32 count) {
  if (count < 2) return;
  u32 started = smp_start_secondaries(cpu_ids, count);
  for (u32 i = 0; i < count; ++i) {
    u32 id = cpu_ids[i];
    if (id == smp_this_cpu() || !smp_cpu_running(id)) continue;
    u64 result = 0;
    u64 arg = 0x1000 + id;
    if (smp_run_on(id, identify, arg, &result))
      LogLine().str("bmbt: smp: cpu ").udec(id).str(" ran work: cpuid ").udec(result >> 32).str(", ")
          .hex0x(arg).str(" -> ").hex0x(result & 0xffffffff);
    else
      LogLine().str("bmbt: smp: cpu ").udec(id).str(" did not finish its work");
  }
  LogLine().str("bmbt: smp: ").udec(started).str(" of ").udec(count - 1).str(" secondary cpus started and parked in idle");
}

u32 smp_this_cpu() { return u32(csr_read<CSR_CPUID>()) & CSR_CPUID_MASK; }

u32 smp_start_secondaries(const u32* cpu_ids, u32 count) {
  u32 self = smp_this_cpu(), started = 0;
  for (u32 i = 0; i < count; ++i) {
    u32 id = cpu_ids[i];
    if (id == self) continue;
    if (id >= BMBT_MAX_CPUS) {
      LogLine().str("bmbt: smp: cpu ").udec(id).str(" not started (BMBT handles ids below ").udec(BMBT_MAX_CPUS).str(")");
      continue;
    }
    u64 stack = alloc_phys(kStackBytes), trap_stack = alloc_phys(kTrapStackBytes);
    if (!stack || !trap_stack) {
      LogLine().str("bmbt: smp: no memory for cpu ").udec(id).str("'s stacks");
      break;
    }
    CpuSlot& slot = g_slots[id];
    slot.trap_stack_top = reinterpret_cast<u64>(phys_to_virt(trap_stack + kTrapStackBytes));
    bmbt_secondary_stacks[id] = reinterpret_cast<u64>(phys_to_virt(stack + kStackBytes));
    barrier();
    // The core may not have reached its park loop yet (QEMU's boot code clears mailbox 0 on the
    // way there, so an early write is lost): send again until it reports. A second wake-up after
    // it left the boot code is harmless (BMBT's park loop only looks at its slot).
    bool ok = false;
    for (u64 tries = 0; !ok && tries < kStartTimeoutUs / kStartRetryUs; ++tries) {
      mail_send(id, 0, virt_to_phys(bmbt_secondary_entry));
      ipi_send(id, kIpiWake);
      ok = wait_until(&slot.started, kStartRetryUs);
    }
    if (ok) {
      ++started;
      LogLine().str("bmbt: smp: cpu ").udec(id).str(" started, reported id ").udec(slot.reported_id)
          .str(", stack ").hex0x(slot.reported_sp);
    } else {
      LogLine().str("bmbt: smp: cpu ").udec(id).str(" did not start");
    }
  }
  return started;
}

bool smp_cpu_running(u32 id) { return id < BMBT_MAX_CPUS && g_slots[id].started; }

bool smp_run_on(u32 id, CpuWork fn, u64 arg, u64* result) {
  if (!smp_cpu_running(id)) return false;
  CpuSlot& slot = g_slots[id];
  u64 done = slot.work_done;
  slot.work_arg = arg;
  barrier();
  slot.work_fn = reinterpret_cast<u64>(fn);
  barrier();
  ipi_send(id, kIpiWake);
  u64 end = timer_counter() + kWorkTimeoutUs * (kTimerHz / 1000000);
  while (slot.work_done == done) {
    if (timer_counter() > end) return false;
  }
  barrier();
  *result = slot.work_result;
  return true;
}

}  // namespace bmbt::baremetal

extern "C" {
bmbt::u64 bmbt_secondary_stacks[BMBT_MAX_CPUS];

// A secondary core after head.S: its own trap vector and trap stack, only the IPI line enabled
// (CRMD.IE stays clear: `idle` still ends when an enabled line is pending, and nothing traps), then
// the report and the park loop.
[[noreturn]] void bmbt_secondary_main(bmbt::u64 cpu_id) {
  using namespace bmbt;
  using namespace bmbt::baremetal;
  CpuSlot& slot = g_slots[cpu_id];
  csr_write<CSR_ECFG>(0);
  csr_write<KS_TRAP_STACK>(slot.trap_stack_top);
  csr_write<CSR_EENTRY>(u64(bmbt_trap_vector));
  csr_write<CSR_TLBRENTRY>(virt_to_phys(bmbt_tlb_refill_vector));
  iocsr_write32(kIocsrIpiClear, ~0u);
  iocsr_write32(kIocsrIpiEnable, ~0u);
  csr_write<CSR_ECFG>(u64(1) << kIrqIpi);
  slot.reported_id = u32(csr_read<CSR_CPUID>()) & CSR_CPUID_MASK;
  slot.reported_sp = current_sp();
  barrier();
  slot.started = 1;
  for (;;) {
    __asm__ volatile("idle 0" ::: "memory");
    iocsr_write32(kIocsrIpiClear, iocsr_read32(kIocsrIpiStatus));
    barrier();
    u64 fn = slot.work_fn;
    if (!fn) continue;
    slot.work_fn = 0;
    u64 result = reinterpret_cast<CpuWork>(fn)(slot.work_arg);
    slot.work_result = result;
    barrier();
    slot.work_done = slot.work_done + 1;
  }
}
}
