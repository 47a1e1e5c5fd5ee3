#include "power.h"

#include "board.h"
#include "csr.h"

namespace bmbt::baremetal {

namespace {
[[noreturn]] void stop_here() {
  interrupts_disable();
  for (;;) __asm__ volatile("idle 0");
}
}  // namespace

void power_off() {
  *mmio<u8>(kGedSleepControlPa) = 0x34;  // SLP_EN | SLP_TYP 5 (S5)
  stop_here();
}

void reset() {
  *mmio<u8>(kGedResetPa) = 0x42;
  stop_here();
}

}  // namespace bmbt::baremetal
