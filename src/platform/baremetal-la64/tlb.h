// The LoongArch TLB, managed by software: BMBT installs every mapping itself (no page walker).
// STLB entries (page size = STLBPS) for ordinary mappings, at an index map() chooses (a free way
// first, so live mappings are not evicted behind its back); MTLB slots pinned by index for mappings
// that must never be evicted (BMBT's own stack). Each TLB entry maps an
// even/odd pair of pages; map/unmap work on single pages and keep the other half of the pair.
#pragma once
#include "support/types.h"

namespace bmbt::baremetal::tlb {

// Page sizes as log2(bytes) (TLBIDX.PS); any from 12 (4 KiB) to 29 (512 MiB).
constexpr u32 kPs4K = 12, kPs16K = 14, kPs64K = 16, kPs2M = 21, kPs32M = 25;
constexpr u32 kStlbPageShift = kPs16K;  // STLBPS: the page size of map()

enum Flags : u64 {
  kValid = 1 << 0,
  kDirty = 1 << 1,  // writable
  kCached = 1 << 4, // MAT = 1 (coherent cached); 0 = strongly-ordered uncached
  kGlobal = 1 << 6, // matches every ASID
  kNoRead = u64(1) << 61,
  kNoExec = u64(1) << 62,
};
constexpr u64 kReadWrite = kValid | kDirty | kCached;

void init();  // empty TLB, STLBPS, ASID 0
void set_asid(u16 asid);
u16 asid();
u32 asid_bits();

// Maps one STLBPS page va -> pa for `asid` (ignored with kGlobal).
void map(u64 va, u64 pa, u16 asid, u64 flags);
// Removes the page at va for `asid`; true if it was mapped.
bool unmap(u64 va, u16 asid);
// Physical address of va for `asid` as the TLB holds it, or false.
bool lookup(u64 va, u16 asid, u64* pa);

// MTLB slots 0..kPinnedSlots-1 belong to map_pinned; map() may use the rest when STLBPS could
// not be set (tlb.cpp).
constexpr u32 kPinnedSlots = 48;

// Pinned pair in MTLB slot `slot` (0..kPinnedSlots-1): pages of 2^page_shift bytes at va (pair-aligned);
// pa_odd = 0 leaves the odd page unmapped.
void map_pinned(u32 slot, u64 va, u32 page_shift, u64 pa_even, u64 pa_odd, u16 asid, u64 flags);

void flush_all();              // invtlb 0
void flush_asid(u16 asid);     // invtlb 4: non-global entries of asid
void flush_page(u64 va, u16 asid);  // invtlb 6: entries of va that are global or of asid

}  // namespace bmbt::baremetal::tlb
