#include "softmmu/mmu.h"

namespace bmbt::softmmu {

void SoftTlb::flush() {
  for (TlbEntry& e : entries) e = TlbEntry{kInvalidTag, kInvalidTag, 0, 0};
}

bool Mmu::translate(u64 vaddr, Access, u64* paddr) {
  *paddr = vaddr;  // paging disabled (see mmu.h)
  return true;
}

u8* Mmu::host_byte(u64 vaddr, Access access) {
  const u64 page = vaddr >> kPageBits;
  TlbEntry& e = tlb_.entries[SoftTlb::index_of(vaddr)];
  u64 tag = access == Access::kWrite ? e.write_tag : e.read_tag;
  if (tag == page) return reinterpret_cast<u8*>(vaddr + e.addend);
  u64 paddr;
  if (!translate(vaddr, access, &paddr)) return nullptr;
  u64 page_paddr = paddr & ~(kPageSize - 1);
  u8* host = mem_.ram_ptr(page_paddr, kPageSize);
  if (!host) return nullptr;
  // RAM pages are readable, writable and executable while paging is off; pages with translated
  // code stay write-protected so stores to them reach Mmu::store.
  e.read_tag = page;
  e.write_tag = is_code_page(paddr) ? kInvalidTag : page;
  e.addend = u64(host) - (vaddr & ~(kPageSize - 1));
  ++fills_;
  return host + (vaddr & (kPageSize - 1));
}

bool Mmu::load(u64 vaddr, int size, u64* value, MemFault* fault) {
  u64 v = 0;
  for (int i = 0; i < size; ++i) {
    u8* p = host_byte(vaddr + u64(i), Access::kRead);
    if (!p) {
      *fault = MemFault{true, vaddr + u64(i), Access::kRead};
      return false;
    }
    v |= u64(*p) << (8 * i);
  }
  *value = v;
  return true;
}

bool Mmu::store(u64 vaddr, int size, u64 value, MemFault* fault) {
  u8* bytes[8];
  for (int i = 0; i < size; ++i) {  // check every byte first: a faulting store writes nothing
    bytes[i] = host_byte(vaddr + u64(i), Access::kWrite);
    if (!bytes[i]) {
      *fault = MemFault{true, vaddr + u64(i), Access::kWrite};
      return false;
    }
  }
  for (int i = 0; i < size; ++i) *bytes[i] = u8(value >> (8 * i));
  if (code_bitmap_) {
    for (int i = 0; i < size; ++i) {
      u64 paddr;
      // Once per code page the store touches: the hook clears the page's mark (or all marks).
      if (translate(vaddr + u64(i), Access::kWrite, &paddr) && is_code_page(paddr)) {
        ++code_writes_;
        if (!hook_) break;
        hook_(hook_ctx_, paddr);
      }
    }
  }
  return true;
}

void Mmu::mark_code_page(u64 paddr) {
  u64 page = paddr >> kPageBits;
  if (!code_bitmap_ || page >= code_pages_) return;
  code_bitmap_[page / 64] |= u64(1) << (page % 64);
  // Drop write permission from every TLB entry that maps this physical page.
  u8* host_page = mem_.ram_ptr(page << kPageBits, kPageSize);
  for (TlbEntry& e : tlb_.entries) {
    if (e.write_tag != kInvalidTag && (e.write_tag << kPageBits) + e.addend == u64(host_page)) e.write_tag = kInvalidTag;
  }
}

void Mmu::clear_code_page(u64 paddr) {
  u64 page = paddr >> kPageBits;
  if (!code_bitmap_ || page >= code_pages_) return;
  code_bitmap_[page / 64] &= ~(u64(1) << (page % 64));
  tlb_.flush();  // write permission returns lazily, entries are refilled on the next miss
}

void Mmu::clear_code_pages() {
  if (!code_bitmap_) return;
  for (u64 w = 0; w < (code_pages_ + 63) / 64; ++w) code_bitmap_[w] = 0;
  // Write permission returns lazily: entries are refilled on the next miss.
  tlb_.flush();
}

int Mmu::fetch(u64 vaddr, u8* out, int max) {
  for (int i = 0; i < max; ++i) {
    u8* p = host_byte(vaddr + u64(i), Access::kExecute);
    if (!p) return i;
    out[i] = *p;
  }
  return max;
}

}  // namespace bmbt::softmmu
