// Interrupt-driven receive on a 16550 UART (normally the console): its "data available" interrupt,
// routed through PCH-PIC and EXTIOI (irqchip.h), fills a ring buffer that uart_rx_read drains.
// Console output stays polled (console.h). Interrupts are taken only while CRMD.IE is set
// (idle_until_interrupt).
#pragma once
#include "fdt.h"

namespace bmbt::baremetal {

// Sets up the interrupt controllers (if not yet) and the receive interrupt of `uart`. False (with
// the reason in *why) when the device tree gave it no complete route.
bool uart_rx_start(const FdtSummary::Uart& uart, const char** why);
void uart_rx_stop();
// Bytes received so far, oldest first; returns how many were copied.
usize uart_rx_read(u8* out, usize max);

struct UartRxStats {
  u64 interrupts;  // handler invocations
  u64 bytes;       // bytes taken from the UART
  u64 dropped;     // bytes lost because the ring was full
};
UartRxStats uart_rx_stats();

}  // namespace bmbt::baremetal
