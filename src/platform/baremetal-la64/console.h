// The bare-metal console: the board's 16550 UART, polled.
#pragma once
#include "support/types.h"

namespace bmbt::baremetal {

void console_set_uart(u64 pa);  // from the device tree, when it names another UART
u64 console_uart();
void console_put(const char* text, usize len);
void console_puts(const char* text);  // text + newline

}  // namespace bmbt::baremetal
