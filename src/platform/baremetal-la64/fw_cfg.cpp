#include "fw_cfg.h"

#include "board.h"

namespace bmbt::baremetal {

namespace {
constexpr u64 kDataOffset = 0x0, kSelectorOffset = 0x8, kDmaOffset = 0x10;
constexpr u16 kSignatureKey = 0x0, kFileDirKey = 0x19;
constexpr u32 kDmaError = 0x01, kDmaRead = 0x02, kDmaSelect = 0x08;

u32 be32(u32 v) { return __builtin_bswap32(v); }
u64 be64(u64 v) { return __builtin_bswap64(v); }

struct DmaAccess {
  u32 control;  // big-endian, like the rest
  u32 length;
  u64 address;
};

bool dma_read(u16 key, u64 dest_pa, u32 size) {
  alignas(16) static DmaAccess access;
  volatile DmaAccess* a = &access;
  a->control = be32((u32(key) << 16) | kDmaSelect | kDmaRead);
  a->length = be32(size);
  a->address = be64(dest_pa);
  __asm__ volatile("dbar 0" ::: "memory");
  *mmio<u64>(kFwCfgPa + kDmaOffset) = be64(virt_to_phys(&access));
  __asm__ volatile("dbar 0" ::: "memory");
  u32 control;
  while ((control = be32(a->control)) & ~kDmaError) {
  }
  return !(control & kDmaError);
}
}  // namespace

bool fw_cfg_present() {
  *mmio<u16>(kFwCfgPa + kSelectorOffset) = __builtin_bswap16(kSignatureKey);
  char sig[4];
  for (char& c : sig) c = char(*mmio<u8>(kFwCfgPa + kDataOffset));
  return sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U';
}

bool fw_cfg_find(const char* name, u32* size, u16* key) {
  struct Entry {
    u32 size;
    u16 select;
    u16 reserved;
    char name[56];
  };
  alignas(16) static u8 dir[4 + 64 * sizeof(Entry)];
  if (!dma_read(kFileDirKey, virt_to_phys(dir), sizeof(dir))) return false;
  u32 count = be32(*reinterpret_cast<u32*>(dir));
  if (count > 64) count = 64;
  auto* entries = reinterpret_cast<Entry*>(dir + 4);
  for (u32 i = 0; i < count; ++i) {
    const char* a = entries[i].name;
    const char* b = name;
    while (*a && *a == *b) ++a, ++b;
    if (*a == *b) {
      *size = be32(entries[i].size);
      *key = __builtin_bswap16(entries[i].select);
      return true;
    }
  }
  return false;
}

bool fw_cfg_read(u16 key, u64 dest_pa, u32 size) { return dma_read(key, dest_pa, size); }

}  // namespace bmbt::baremetal
