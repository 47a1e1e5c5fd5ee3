// The platform interface: everything that differs between hosts (linux-x86_64, linux-la64,
// baremetal-la64). The core calls only these functions.
#pragma once
#include "support/types.h"

namespace bmbt::platform {

// Guest-visible console output (the emulated serial port's transmitter).
void console_write(const char* data, usize len);
// BMBT's own diagnostics (errors, -d traces, statistics), one line at a time, without newline.
void log_line(const char* text);

// Zero-filled, page-aligned memory that is never returned (guest RAM, caches). nullptr if none left.
void* alloc_pages(usize bytes);
// Memory that can hold generated host code, or nullptr where this platform cannot execute it
// (the x86-64 development host executes IR with the interpreter instead).
void* alloc_code(usize bytes);
void flush_icache(void* begin, usize len);

// Host-side features the code generator may use.
struct HostFeatures {
  bool lbt;   // LoongArch binary-translation extension (x86 flags in hardware)
};
HostFeatures host_features();

// Monotonic nanoseconds, for statistics only.
u64 now_ns();

[[noreturn]] void exit(int status);

}  // namespace bmbt::platform
