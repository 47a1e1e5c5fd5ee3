// LoongArch64 Linux: generated code lives in an RWX mapping; LBT is detected through HWCAP.
#include <sys/auxv.h>
#include <sys/mman.h>

#include "platform/platform.h"

namespace bmbt::platform {

namespace {
constexpr unsigned long kHwcapLoongArchLbtX86 = 1ul << 10;
}

void* alloc_code(usize bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void flush_icache(void* begin, usize len) {
  __builtin___clear_cache(static_cast<char*>(begin), static_cast<char*>(begin) + len);
}

HostFeatures host_features() { return HostFeatures{(getauxval(AT_HWCAP) & kHwcapLoongArchLbtX86) != 0}; }

}  // namespace bmbt::platform
