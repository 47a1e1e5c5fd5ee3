// Guest virtual -> physical translation and the slow path of guest memory accesses.
//
// Today the vCPU runs with paging disabled (the skeleton machine's boot state), so virtual
// equals physical; the x86 page-table walker plugs into translate() with the system-mode work.
// Everything above this interface (TLB fill, inline checks in translated code, fault
// reporting) is already the final design.
#pragma once
#include "softmmu/guest_memory.h"
#include "softmmu/tlb.h"

namespace bmbt::softmmu {

enum class Access : u8 { kRead, kWrite, kExecute };

struct MemFault {
  bool faulted = false;
  u64 vaddr = 0;
  Access access = Access::kRead;
};

class Mmu {
 public:
  Mmu(GuestMemory& mem, SoftTlb& tlb) : mem_(mem), tlb_(tlb) { tlb_.flush(); }

  // Slow-path accesses of 1, 2, 4 or 8 bytes (any alignment, may cross pages). On failure
  // `fault` is filled and false returned; nothing is written to guest memory.
  bool load(u64 vaddr, int size, u64* value, MemFault* fault);
  bool store(u64 vaddr, int size, u64 value, MemFault* fault);
  // Instruction fetch: copies up to `max` bytes, stopping at the first inaccessible byte.
  int fetch(u64 vaddr, u8* out, int max);

  u64 tlb_fills() const { return fills_; }

 private:
  // Host pointer of the byte at vaddr, filling the TLB entry for its page.
  u8* host_byte(u64 vaddr, Access access);
  bool translate(u64 vaddr, Access access, u64* paddr);

  GuestMemory& mem_;
  SoftTlb& tlb_;
  u64 fills_ = 0;
};

}  // namespace bmbt::softmmu
