#include "console.h"

#include "board.h"
#include "uart16550.h"

namespace bmbt::baremetal {

namespace {
u64 g_uart_pa = kDefaultUartPa;

// Output is always polled (also from trap handlers and panic reports).
void uart_putc(char c) {
  volatile u8* uart = mmio<u8>(g_uart_pa);
  while (!(uart[uart16550::kLsr] & uart16550::kLsrThrEmpty)) {
  }
  uart[uart16550::kRbrThr] = u8(c);
}
}  // namespace

void console_set_uart(u64 pa) { g_uart_pa = pa; }
u64 console_uart() { return g_uart_pa; }

void console_put(const char* text, usize len) {
  for (usize i = 0; i < len; ++i) {
    if (text[i] == '\n') uart_putc('\r');
    uart_putc(text[i]);
  }
}

void console_puts(const char* text) {
  usize n = 0;
  while (text[n]) ++n;
  console_put(text, n);
  console_put("\n", 1);
}

}  // namespace bmbt::baremetal
