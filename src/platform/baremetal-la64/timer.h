// The per-core constant timer (TCFG/TVAL/TICLR, 100 MHz on the virt board) and idle.
#pragma once
#include "support/types.h"

namespace bmbt::baremetal {

u64 timer_counter();  // rdtime.d
// Periodic interrupts every `period_ns` (line 11); each one increments timer_ticks().
void timer_start_periodic(u64 period_ns);
void timer_stop();
u64 timer_ticks();
// Sleeps in `idle` until the next interrupt (interrupts are enabled around it).
void idle_until_interrupt();

}  // namespace bmbt::baremetal
