// The core's platform interface (platform/platform.h) on bare-metal LoongArch: the console is the
// board's UART, memory comes from the physical page allocator through the cached window DMW1 (which
// is executable, so the JIT's code cache is ordinary pages), time is the stable counter.
#include "platform/platform.h"

#include "board.h"
#include "console.h"
#include "memory.h"
#include "power.h"
#include "timer.h"

extern "C" void* memset(void*, int, bmbt::usize);

namespace bmbt::platform {

void console_write(const char* data, usize len) { baremetal::console_put(data, len); }

void log_line(const char* text) { baremetal::console_puts(text); }

void* alloc_pages(usize bytes) {
  u64 pa = baremetal::alloc_phys(bytes);
  if (!pa) return nullptr;
  void* p = baremetal::phys_to_virt(pa);
  memset(p, 0, (bytes + baremetal::kPageSize - 1) & ~(baremetal::kPageSize - 1));
  return p;
}

void* alloc_code(usize bytes) { return alloc_pages(bytes); }

// The data just written must reach the instruction fetch: dbar orders the stores, ibar makes
// later fetches see them (LoongArch keeps caches coherent; ibar is the required barrier).
void flush_icache(void*, usize) { __asm__ volatile("dbar 0\n\tibar 0" ::: "memory"); }

HostFeatures host_features() {
  u32 cfg2;
  __asm__ volatile("cpucfg %0, %1" : "=r"(cfg2) : "r"(2));
  return HostFeatures{((cfg2 >> 18) & 1) != 0};
}

u64 now_ns() { return baremetal::timer_counter() * (1000000000ull / baremetal::kTimerHz); }

void exit(int status) {
  if (status != 0) {
    char msg[] = "bmbt: exit status  ";
    msg[sizeof(msg) - 2] = char('0' + (status % 10));
    baremetal::console_puts(msg);
  }
  baremetal::power_off();
}

}  // namespace bmbt::platform
