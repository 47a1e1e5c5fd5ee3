// bmbt.uart-rx=<n>: receives n bytes on a UART through its interrupt (never by polling the
// receiver), then reports them and the interrupt count. The UART is the console unless
// bmbt.uart-rx-port=<i> picks the i-th 16550 of the device tree (under UEFI the firmware's console
// driver reads the console's input itself). tests/baremetal feeds the bytes from a file into
// QEMU's serial port; if interrupts are not delivered, nothing is received and the report says so
// after a timeout.
#include "board.h"
#include "fdt.h"
#include "kernel.h"
#include "irqchip.h"
#include "support/log.h"
#include "timer.h"
#include "uart_rx.h"

namespace bmbt::baremetal {

namespace {
constexpr u64 kTimeoutSeconds = 5;
constexpr u64 kWakeupPeriodNs = 10000000;  // the timer ends idle so the timeout is noticed
}  // namespace

void run_uart_rx_echo(u32 count, u32 port) {
  u8 buf[256];
  if (count > sizeof(buf)) count = sizeof(buf);
  if (port >= g_fdt.uart_count) {
    LogLine().str("bmbt: uart rx: the device tree has no UART ").udec(port);
    return;
  }
  const FdtSummary::Uart& uart = g_fdt.uarts[port];
  const char* why = "";
  if (!uart_rx_start(uart, &why)) {
    LogLine().str("bmbt: uart rx: not started: ").str(why);
    return;
  }
  const FdtSummary::UartIrq& r = uart.irq;
  LogLine().str("bmbt: uart rx: interrupt route uart ").hex0x(uart.pa).str(" -> pch-pic ").hex0x(r.pch_pic_pa)
      .str(" input ").udec(r.pch_pic_input).str(" -> extioi vector ").udec(r.extioi_base + r.pch_pic_input)
      .str(" -> cpu line ").udec(r.cpu_line).str("; waiting for ").udec(count).str(" bytes");
  u32 got = 0;
  u64 deadline = timer_counter() + kTimeoutSeconds * kTimerHz;
  timer_start_periodic(kWakeupPeriodNs);
  while (got < count && timer_counter() < deadline) {
    idle_until_interrupt();
    got += u32(uart_rx_read(buf + got, count - got));
  }
  timer_stop();
  uart_rx_stop();
  UartRxStats st = uart_rx_stats();
  LogLine line;
  line.str("bmbt: uart rx: ").udec(got).str(got == count ? " bytes \"" : " bytes (timed out) \"");
  for (u32 i = 0; i < got; ++i) {
    if (buf[i] >= 0x20 && buf[i] < 0x7f && buf[i] != '"' && buf[i] != '\\')
      line.ch(char(buf[i]));
    else
      line.str("\\x").hex(buf[i], 2);
  }
  line.str("\" through ").udec(st.interrupts).str(" uart interrupts (").udec(irqchip_dispatched())
      .str(" device interrupts, ").udec(st.dropped).str(" dropped)");
}

}  // namespace bmbt::baremetal
