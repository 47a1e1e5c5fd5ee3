// The emulated machine as far as it exists today: guest RAM and the port space with a COM1
// 16550 at 0x3f8. The PC devices (PIC, PIT, RTC, APICs, PCI) join here.
#pragma once
#include "devices/port_io.h"
#include "devices/serial16550.h"
#include "softmmu/guest_memory.h"

namespace bmbt::devices {

struct Machine {
  softmmu::GuestMemory memory;
  PortIoBus io;
  Serial16550 com1{0x3f8};

  Machine() { io.map(com1.base(), 8, &com1); }
};

}  // namespace bmbt::devices
