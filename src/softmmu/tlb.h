// The software TLB that translated code checks inline before every guest memory access.
// Entry layout is part of the translated-code ABI (the backend emits loads of these fields).
#pragma once
#include "support/types.h"

namespace bmbt::softmmu {

constexpr int kPageBits = 12;
constexpr u64 kPageSize = u64(1) << kPageBits;
constexpr int kTlbBits = 8;
constexpr int kTlbEntries = 1 << kTlbBits;
constexpr u64 kInvalidTag = ~u64(0);

struct TlbEntry {
  u64 read_tag;    // guest virtual page number readable through this entry, or kInvalidTag
  u64 write_tag;   // same for writes (a read-only page has only read_tag)
  u64 addend;      // host address = guest virtual address + addend
  u64 unused;      // keeps entries 32 bytes (index scaling by a shift)
};
static_assert(sizeof(TlbEntry) == 32, "TLB entry size is part of the code-generation ABI");
constexpr int kTlbEntryShift = 5;

struct SoftTlb {
  TlbEntry entries[kTlbEntries];
  void flush();
  static int index_of(u64 vaddr) { return int((vaddr >> kPageBits) & (kTlbEntries - 1)); }
};

}  // namespace bmbt::softmmu
