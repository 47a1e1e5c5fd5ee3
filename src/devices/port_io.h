// The x86 I/O port space: devices claim port ranges; unclaimed ports read as all ones and
// ignore writes (as on a PC), and are counted so a run can report them.
#pragma once
#include "support/types.h"

namespace bmbt::devices {

class PortDevice {
 public:
  virtual u32 port_read(u16 port, int size) = 0;
  virtual void port_write(u16 port, u32 value, int size) = 0;

 protected:
  ~PortDevice() = default;
};

class PortIoBus {
 public:
  static constexpr int kMaxRanges = 32;
  bool map(u16 first, u16 count, PortDevice* dev);
  u32 read(u16 port, int size);
  void write(u16 port, u32 value, int size);
  u64 unclaimed_accesses() const { return unclaimed_; }

 private:
  struct Range { u16 first; u16 count; PortDevice* dev; };
  PortDevice* find(u16 port, u16* base) const;
  Range ranges_[kMaxRanges] = {};
  int count_ = 0;
  u64 unclaimed_ = 0;
};

}  // namespace bmbt::devices
