// Minimal bare-metal platform functions for the QEMU LoongArch `virt` board in direct-address
// mode (how `-kernel` starts an ELF): polled 16550 at 0x1fe001e0, a bump allocator over a
// static arena, power-off through the ACPI GED register. The full platform layer (DMW windows,
// traps, TLB, timer, UEFI) is the bare-metal platform issue; nothing here pretends to be it.
#include "platform/platform.h"

namespace bmbt::platform {

namespace {
constexpr uintptr_t kUartBase = 0x1fe001e0;
constexpr uintptr_t kGedSleepControl = 0x100e001c;

alignas(16384) unsigned char g_arena[160u << 20];
usize g_arena_used = 0;

void uart_putc(char c) {
  volatile u8* uart = reinterpret_cast<volatile u8*>(kUartBase);
  while (!(uart[5] & 0x20)) {
  }
  uart[0] = u8(c);
}
}  // namespace

void console_write(const char* data, usize len) {
  for (usize i = 0; i < len; ++i) {
    if (data[i] == '\n') uart_putc('\r');
    uart_putc(data[i]);
  }
}

void log_line(const char* text) {
  usize n = 0;
  while (text[n]) ++n;
  console_write(text, n);
  console_write("\n", 1);
}

void* alloc_pages(usize bytes) {
  usize size = (bytes + 16383) & ~usize(16383);
  if (size > sizeof(g_arena) - g_arena_used) return nullptr;
  void* p = g_arena + g_arena_used;
  g_arena_used += size;
  return p;
}

// Direct-address mode executes from any physical address: the arena is executable.
void* alloc_code(usize bytes) { return alloc_pages(bytes); }
void flush_icache(void*, usize) { __asm__ volatile("ibar 0" ::: "memory"); }

HostFeatures host_features() {
  u32 cfg2;
  __asm__ volatile("cpucfg %0, %1" : "=r"(cfg2) : "r"(2));
  return HostFeatures{((cfg2 >> 18) & 1) != 0};
}

u64 now_ns() {
  u64 t;
  __asm__ volatile("rdtime.d %0, $zero" : "=r"(t));
  return t * 10;  // the stable counter runs at 100 MHz on the virt board
}

void exit(int) {
  *reinterpret_cast<volatile u8*>(kGedSleepControl) = 0x34;
  for (;;) __asm__ volatile("idle 0");
}

}  // namespace bmbt::platform
