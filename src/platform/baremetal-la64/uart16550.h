// Registers of the 16550 UART (byte-wide, consecutive), shared by the polled console and the
// interrupt-driven receiver.
#pragma once
#include "support/types.h"

namespace bmbt::baremetal::uart16550 {

constexpr u32 kRbrThr = 0;  // receive buffer (read) / transmit holding (write)
constexpr u32 kIer = 1;     // interrupt enable
constexpr u32 kIir = 2;     // interrupt identification (read)
constexpr u32 kLcr = 3;     // line control
constexpr u32 kMcr = 4;     // modem control
constexpr u32 kLsr = 5;     // line status

constexpr u8 kIerRxAvailable = 0x01;
constexpr u8 kLcrDivisorLatch = 0x80;
constexpr u8 kMcrOut2 = 0x08;  // gates the interrupt output on PC-style boards; harmless elsewhere
constexpr u8 kLsrDataReady = 0x01;
constexpr u8 kLsrThrEmpty = 0x20;

}  // namespace bmbt::baremetal::uart16550
