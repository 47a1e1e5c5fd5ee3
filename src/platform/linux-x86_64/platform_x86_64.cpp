// The x86-64 development host executes IR with the interpreter: no generated code runs here.
#include "platform/platform.h"

namespace bmbt::platform {

void* alloc_code(usize) { return nullptr; }
void flush_icache(void*, usize) {}
HostFeatures host_features() { return HostFeatures{false}; }

}  // namespace bmbt::platform
