#include "devices/serial16550.h"

#include "platform/platform.h"

namespace bmbt::devices {

namespace {
enum Reg : u16 { kData = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScratch = 7 };
constexpr u8 kLcrDlab = 0x80;
constexpr u8 kLsrThrEmpty = 0x20, kLsrTxIdle = 0x40;
}  // namespace

u32 Serial16550::port_read(u16 port, int) {
  bool dlab = lcr_ & kLcrDlab;
  switch (port - base_) {
    case kData: return dlab ? dll_ : 0;
    case kIer: return dlab ? dlm_ : ier_;
    case kIir: return 0x01;  // no interrupt pending
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return kLsrThrEmpty | kLsrTxIdle;
    case kMsr: return 0xb0;  // DCD, DSR, CTS
    case kScratch: return scratch_;
  }
  return 0xff;
}

void Serial16550::port_write(u16 port, u32 value, int) {
  u8 v = u8(value);
  bool dlab = lcr_ & kLcrDlab;
  switch (port - base_) {
    case kData:
      if (dlab) { dll_ = v; break; }
      {
        char c = char(v);
        platform::console_write(&c, 1);
        ++sent_;
      }
      break;
    case kIer: if (dlab) dlm_ = v; else ier_ = v; break;
    case kLcr: lcr_ = v; break;
    case kMcr: mcr_ = v; break;
    case kScratch: scratch_ = v; break;
    default: break;
  }
}

}  // namespace bmbt::devices
