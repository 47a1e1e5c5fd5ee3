#include "tlb.h"

#include "csr.h"

namespace bmbt::baremetal::tlb {

namespace {
constexpr u64 kIndexNotFound = u64(1) << 31;  // TLBIDX.NE
constexpr u32 kMtlbFirstIndex = 2048;
constexpr u64 kPpnMask = 0x0000fffffffff000ull;

// Searches the pair holding va under `asid`: true with TLBIDX/TLBEHI/TLBELO* loaded (tlbrd).
bool search(u64 va, u16 id, u32 page_shift) {
  u64 saved = csr_read<CSR_ASID>();
  csr_write<CSR_ASID>((saved & ~u64(0x3ff)) | id);
  csr_write<CSR_TLBEHI>(va & ~((u64(1) << (page_shift + 1)) - 1));
  __asm__ volatile("tlbsrch" ::: "memory");
  u64 idx = csr_read<CSR_TLBIDX>();
  bool found = !(idx & kIndexNotFound);
  if (found) __asm__ volatile("tlbrd" ::: "memory");
  csr_write<CSR_ASID>((csr_read<CSR_ASID>() & ~u64(0x3ff)) | (saved & 0x3ff));
  return found;
}

void write_entry(u64 va, u32 page_shift, u64 lo0, u64 lo1, u16 id, bool at_index, u32 index) {
  u64 saved = csr_read<CSR_ASID>();
  csr_write<CSR_ASID>((saved & ~u64(0x3ff)) | id);  // tlbwr/tlbfill take the ASID from CSR.ASID
  csr_write<CSR_TLBEHI>(va & ~((u64(1) << (page_shift + 1)) - 1));
  csr_write<CSR_TLBELO0>(lo0);
  csr_write<CSR_TLBELO1>(lo1);
  csr_write<CSR_TLBIDX>((u64(page_shift) << 24) | index);
  if (at_index)
    __asm__ volatile("tlbwr" ::: "memory");
  else
    __asm__ volatile("tlbfill" ::: "memory");
  csr_write<CSR_ASID>((csr_read<CSR_ASID>() & ~u64(0x3ff)) | (saved & 0x3ff));
}

u64 entry_lo(u64 pa, u64 flags) { return (pa & kPpnMask) | flags; }

// tlbfill picks its victim itself: any way of the STLB set, or any MTLB entry when the page size
// is not STLBPS, also one holding a live mapping (hardware replaces at random; QEMU prefers other
// ASIDs' entries), which would silently drop that mapping or even a pinned one. map() therefore
// chooses the index: an invalid entry if there is one, else a victim among the entries it may use.
//   STLB: 8 ways x 256 sets, index = way * 256 + set (set = the VA bits above the pair).
//   MTLB: slots kPinnedSlots..63 (the ones below belong to map_pinned), used only when STLBPS
//   is not the map() page size: QEMU 10.0 ignores writes to STLBPS, leaving it at 4 KiB.
constexpr u32 kStlbSets = 256, kStlbWays = 8, kMtlbSlots = 64;
u32 g_victim;  // round-robin when no entry is free

bool entry_free(u32 index) {
  csr_write<CSR_TLBIDX>(index);
  __asm__ volatile("tlbrd" ::: "memory");
  return csr_read<CSR_TLBIDX>() & kIndexNotFound;
}

u32 choose_index(u64 va) {
  u64 saved_asid = csr_read<CSR_ASID>();  // tlbrd of an invalid entry clears ASID
  u32 found = ~0u;
  if ((csr_read<CSR_STLBPS>() & 0x3f) == kStlbPageShift) {
    u32 set = u32(va >> (kStlbPageShift + 1)) & (kStlbSets - 1);
    for (u32 way = 0; way < kStlbWays && found == ~0u; ++way)
      if (entry_free(way * kStlbSets + set)) found = way * kStlbSets + set;
    if (found == ~0u) found = (g_victim++ % kStlbWays) * kStlbSets + set;
  } else {
    constexpr u32 kDynamic = kMtlbSlots - kPinnedSlots;
    for (u32 slot = kPinnedSlots; slot < kMtlbSlots && found == ~0u; ++slot)
      if (entry_free(kMtlbFirstIndex + slot)) found = kMtlbFirstIndex + slot;
    if (found == ~0u) found = kMtlbFirstIndex + kPinnedSlots + g_victim++ % kDynamic;
  }
  csr_write<CSR_ASID>(saved_asid);
  return found;
}
}  // namespace

void init() {
  __asm__ volatile("invtlb 0, $zero, $zero" ::: "memory");
  csr_write<CSR_STLBPS>(kStlbPageShift);
  set_asid(0);
}

void set_asid(u16 id) { csr_write<CSR_ASID>((csr_read<CSR_ASID>() & ~u64(0x3ff)) | (id & 0x3ff)); }
u16 asid() { return u16(csr_read<CSR_ASID>() & 0x3ff); }
u32 asid_bits() { return u32(csr_read<CSR_ASID>() >> 16) & 0xff; }

void map(u64 va, u64 pa, u16 id, u64 flags) {
  bool odd = (va >> kStlbPageShift) & 1;
  u64 lo = entry_lo(pa, flags);
  if (search(va, id, kStlbPageShift)) {
    // Keep the other half of the existing pair; rewrite the entry in place.
    u32 index = u32(csr_read<CSR_TLBIDX>() & 0xfff);
    u64 lo0 = odd ? csr_read<CSR_TLBELO0>() : lo;
    u64 lo1 = odd ? lo : csr_read<CSR_TLBELO1>();
    write_entry(va, kStlbPageShift, lo0, lo1, id, true, index);
    return;
  }
  // The G bit must agree in both halves for the pair to match as global.
  u64 empty = flags & kGlobal;
  write_entry(va, kStlbPageShift, odd ? empty : lo, odd ? lo : empty, id, true, choose_index(va));
}

bool unmap(u64 va, u16 id) {
  if (!search(va, id, kStlbPageShift)) return false;
  bool odd = (va >> kStlbPageShift) & 1;
  u64 lo0 = csr_read<CSR_TLBELO0>(), lo1 = csr_read<CSR_TLBELO1>();
  u64& mine = odd ? lo1 : lo0;
  bool was_valid = mine & kValid;
  mine &= kGlobal;
  if (!((odd ? lo0 : lo1) & kValid)) {
    flush_page(va, id);  // neither half left: drop the entry
  } else {
    write_entry(va, kStlbPageShift, lo0, lo1, id, true, u32(csr_read<CSR_TLBIDX>() & 0xfff));
  }
  return was_valid;
}

bool lookup(u64 va, u16 id, u64* pa) {
  if (!search(va, id, kStlbPageShift)) return false;
  u32 ps = u32(csr_read<CSR_TLBIDX>() >> 24) & 0x3f;
  bool odd = (va >> ps) & 1;
  u64 lo = odd ? csr_read<CSR_TLBELO1>() : csr_read<CSR_TLBELO0>();
  if (!(lo & kValid)) return false;
  *pa = (lo & kPpnMask & ~((u64(1) << ps) - 1)) | (va & ((u64(1) << ps) - 1));
  return true;
}

void map_pinned(u32 slot, u64 va, u32 page_shift, u64 pa_even, u64 pa_odd, u16 id, u64 flags) {
  u64 lo0 = entry_lo(pa_even, flags);
  u64 lo1 = pa_odd ? entry_lo(pa_odd, flags) : (flags & kGlobal);
  write_entry(va, page_shift, lo0, lo1, id, true, kMtlbFirstIndex + (slot % kPinnedSlots));
}

void flush_all() { __asm__ volatile("invtlb 0, $zero, $zero" ::: "memory"); }
void flush_asid(u16 id) { __asm__ volatile("invtlb 4, %0, $zero" ::"r"(u64(id)) : "memory"); }
void flush_page(u64 va, u16 id) { __asm__ volatile("invtlb 6, %0, %1" ::"r"(u64(id)), "r"(va) : "memory"); }

}  // namespace bmbt::baremetal::tlb
