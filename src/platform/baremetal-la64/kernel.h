// Pieces of the bare-metal kernel that main.cpp sequences.
#pragma once
#include "support/types.h"

namespace bmbt::baremetal {

// Words of the command line: "name" or "name=value", separated by spaces.
class CommandLine {
 public:
  explicit CommandLine(const char* text) : text_(text) {}
  bool has(const char* name) const;
  // Value of name=value (up to the next space, copied to an internal buffer), or nullptr.
  const char* value(const char* name) const;

 private:
  const char* text_;
  mutable char value_[64];
};

[[noreturn]] void inject_fault(const char* kind);  // faults.cpp
void run_selftests();                              // selftest.cpp
void run_uart_rx_echo(u32 count, u32 port);                 // uart_rx_echo.cpp
[[noreturn]] void run_guest(const CommandLine& cl);  // guest.cpp
[[noreturn]] void run_replay();                      // replay.cpp

}  // namespace bmbt::baremetal
