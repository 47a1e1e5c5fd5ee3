#include "uart_rx.h"

#include "board.h"
#include "irqchip.h"
#include "uart16550.h"

namespace bmbt::baremetal {

namespace {
constexpr u32 kRingBytes = 1024;  // a power of two
// Single producer (the interrupt handler) and single consumer (code running with IE clear), both
// on this core: the indices only grow; volatile keeps the consumer re-reading what the handler wrote.
u8 g_ring[kRingBytes];
volatile u32 g_head, g_tail;
volatile u64 g_interrupts, g_bytes, g_dropped;
u32 g_input;
u64 g_uart_pa;
bool g_running;

volatile u8* uart() { return mmio<u8>(g_uart_pa); }

void on_uart(u32) {
  g_interrupts = g_interrupts + 1;
  volatile u8* u = uart();
  // Reading RBR until the FIFO is empty drops the UART's (level) interrupt line.
  while (u[uart16550::kLsr] & uart16550::kLsrDataReady) {
    u8 byte = u[uart16550::kRbrThr];
    g_bytes = g_bytes + 1;
    if (g_head - g_tail == kRingBytes) {
      g_dropped = g_dropped + 1;
      continue;
    }
    g_ring[g_head % kRingBytes] = byte;
    g_head = g_head + 1;
  }
}
}  // namespace

bool uart_rx_start(const FdtSummary::Uart& port, const char** why) {
  const FdtSummary::UartIrq& r = port.irq;
  if (!r.valid) {
    *why = "the device tree has no UART -> PCH-PIC -> EXTIOI route for it";
    return false;
  }
  g_uart_pa = port.pa;
  if (!irqchip_ready()) irqchip_init(r.pch_pic_pa, r.extioi_base, r.cpu_line);
  volatile u8* u = uart();
  u[uart16550::kLcr] = u8(u[uart16550::kLcr] & ~uart16550::kLcrDivisorLatch);  // IER, not the divisor
  u[uart16550::kMcr] = u8(u[uart16550::kMcr] | uart16550::kMcrOut2);
  g_input = r.pch_pic_input;
  irqchip_route(g_input, on_uart);
  u[uart16550::kIer] = uart16550::kIerRxAvailable;
  (void)u[uart16550::kIir];
  g_running = true;
  return true;
}

void uart_rx_stop() {
  if (!g_running) return;
  uart()[uart16550::kIer] = 0;
  irqchip_mask(g_input);
  g_running = false;
}

usize uart_rx_read(u8* out, usize max) {
  usize n = 0;
  while (n < max && g_tail != g_head) {
    out[n++] = g_ring[g_tail % kRingBytes];
    g_tail = g_tail + 1;
  }
  return n;
}

UartRxStats uart_rx_stats() { return UartRxStats{g_interrupts, g_bytes, g_dropped}; }

}  // namespace bmbt::baremetal
