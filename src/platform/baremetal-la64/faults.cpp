// Deliberate faults (bmbt.fault=<kind>) that prove the trap path: each must end in the panic
// report and a power-off, never a hang. tests/baremetal runs every kind.
#include "console.h"
#include "csr.h"
#include "kernel.h"
#include "power.h"
#include "support/log.h"

namespace bmbt::baremetal {

namespace {
volatile u64 g_sink;

__attribute__((noinline)) void illegal_instruction() { __asm__ volatile(".word 0xffffffff" ::: "memory"); }

// Not canonical (bits 63:48 neither all 0 nor all 1) and in no DMW segment: address error.
__attribute__((noinline)) void bad_address() { g_sink = *reinterpret_cast<volatile u64*>(0x4000000000001000ull); }

// The timer line unmasked with no handler installed, the timer set to fire once soon.
__attribute__((noinline)) void unexpected_interrupt() {
  constexpr u64 kTimerLine = u64(1) << 11;
  csr_xchg<CSR_ECFG>(kTimerLine, kTimerLine);
  csr_write<CSR_TCFG>(10000 | 1);  // one-shot, 100 us
  interrupts_enable();
  for (int i = 0; i < 1000; ++i) __asm__ volatile("idle 0");
}

// 4 KiB per frame until the stack runs into its guard page.
__attribute__((noinline)) u64 deep(u64 n) {
  volatile u8 frame[4096];
  frame[n & 4095] = u8(n);
  if (g_sink == 0x5a5a5a5a5a5a5a5aull) return 0;  // never: keeps the recursion from being folded
  return deep(n + 1) + frame[(n * 7) & 4095];
}

struct FaultKind {
  const char* name;
  void (*run)();
};
constexpr FaultKind kFaults[] = {
    {"illegal", illegal_instruction},
    {"badaddr", bad_address},
    {"irq", unexpected_interrupt},
    {"stack", [] { g_sink = deep(0); }},
};

bool equals(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}
}  // namespace

void inject_fault(const char* kind) {
  for (const FaultKind& f : kFaults) {
    if (!equals(f.name, kind)) continue;
    LogLine().str("bmbt: injecting fault '").str(kind).str("'");
    f.run();
    console_puts("bmbt: the injected fault did not trap");
    power_off();
  }
  LogLine().str("bmbt: unknown fault kind '").str(kind).str("' (illegal, badaddr, irq, stack)");
  power_off();
}

}  // namespace bmbt::baremetal
