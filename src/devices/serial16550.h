// 16550 UART, transmit side and the registers a polling driver reads. Characters written to
// THR go straight to the platform console; the line status always reports an empty
// transmitter. Receive, interrupts and FIFO control arrive with the PC machine issue.
#pragma once
#include "devices/port_io.h"

namespace bmbt::devices {

class Serial16550 final : public PortDevice {
 public:
  explicit Serial16550(u16 base) : base_(base) {}
  u16 base() const { return base_; }
  u32 port_read(u16 port, int size) override;
  void port_write(u16 port, u32 value, int size) override;
  u64 bytes_sent() const { return sent_; }

 private:
  u16 base_;
  u8 lcr_ = 0, ier_ = 0, mcr_ = 0, scratch_ = 0, dll_ = 1, dlm_ = 0;
  u64 sent_ = 0;
};

}  // namespace bmbt::devices
