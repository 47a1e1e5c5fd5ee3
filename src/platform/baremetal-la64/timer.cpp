#include "timer.h"

#include "board.h"
#include "trap.h"

namespace bmbt::baremetal {

namespace {
volatile u64 g_ticks;
constexpr u64 kTcfgEnable = 1, kTcfgPeriodic = 2;

void on_timer(TrapFrame&) {
  csr_write<CSR_TICLR>(1);  // acknowledge
  g_ticks = g_ticks + 1;
}
}  // namespace

u64 timer_counter() {
  u64 t;
  __asm__ volatile("rdtime.d %0, $zero" : "=r"(t));
  return t;
}

void timer_start_periodic(u64 period_ns) {
  u64 count = period_ns * (kTimerHz / 1000000) / 1000;
  irq_enable(kIrqTimer, on_timer);
  csr_write<CSR_TCFG>((count & ~u64(3)) | kTcfgPeriodic | kTcfgEnable);
}

void timer_stop() {
  csr_write<CSR_TCFG>(0);
  csr_write<CSR_TICLR>(1);
  irq_disable(kIrqTimer);
}

u64 timer_ticks() { return g_ticks; }

void idle_until_interrupt() {
  // IE is set just before idle: an interrupt already pending wakes it at once.
  interrupts_enable();
  __asm__ volatile("idle 0" ::: "memory");
  interrupts_disable();
}

}  // namespace bmbt::baremetal
