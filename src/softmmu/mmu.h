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

  // Self-modifying code: pages holding translated code are write-protected in the soft TLB, so
  // every store to them takes the slow path, which completes the store and then calls the hook
  // (the engine invalidates its translations). `bitmap` has one bit per guest-physical page of RAM.
  using CodeWriteHook = void (*)(void* ctx, u64 paddr);
  void set_code_tracking(u64* bitmap, u64 pages, CodeWriteHook hook, void* ctx) {
    code_bitmap_ = bitmap;
    code_pages_ = pages;
    hook_ = hook;
    hook_ctx_ = ctx;
  }
  void mark_code_page(u64 paddr);
  void clear_code_page(u64 paddr);  // no translated code left on this page
  void clear_code_pages();
  bool is_code_page(u64 paddr) const {
    u64 page = paddr >> kPageBits;
    return code_bitmap_ && page < code_pages_ && (code_bitmap_[page / 64] >> (page % 64)) & 1;
  }
  u64 code_writes() const { return code_writes_; }

 private:
  // Host pointer of the byte at vaddr, filling the TLB entry for its page.
  u8* host_byte(u64 vaddr, Access access);
  bool translate(u64 vaddr, Access access, u64* paddr);

  GuestMemory& mem_;
  SoftTlb& tlb_;
  u64 fills_ = 0;
  u64* code_bitmap_ = nullptr;
  u64 code_pages_ = 0;
  CodeWriteHook hook_ = nullptr;
  void* hook_ctx_ = nullptr;
  u64 code_writes_ = 0;
};

}  // namespace bmbt::softmmu
