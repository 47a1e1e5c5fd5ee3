// Guest physical address space: one RAM region backed by host memory. Physical addresses
// outside RAM are reported as faults naming the address (MMIO regions arrive with the PC
// machine issue).
#pragma once
#include "support/types.h"

namespace bmbt::softmmu {

class GuestMemory {
 public:
  void attach_ram(u8* host, u64 size) { ram_ = host; ram_size_ = size; }
  u8* ram() const { return ram_; }
  u64 ram_size() const { return ram_size_; }
  // Host pointer for [paddr, paddr+len) if it lies entirely in RAM, else nullptr.
  u8* ram_ptr(u64 paddr, u64 len) const {
    if (paddr >= ram_size_ || len > ram_size_ - paddr) return nullptr;
    return ram_ + paddr;
  }

 private:
  u8* ram_ = nullptr;
  u64 ram_size_ = 0;
};

}  // namespace bmbt::softmmu
