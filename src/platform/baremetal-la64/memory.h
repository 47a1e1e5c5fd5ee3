// Physical page allocator over the free RAM ranges of the boot information. Pages are handed out
// once and never returned (BMBT allocates guest RAM, caches and stacks at start-up).
#pragma once
#include "support/types.h"

namespace bmbt::baremetal {

constexpr u64 kPageSize = 16384;

void memory_init();
// Physical address of `bytes` (rounded up to pages) aligned to `align` (a power of two >= a page),
// or 0 if no free range can hold it. Not zeroed.
u64 alloc_phys(u64 bytes, u64 align = kPageSize);
u64 free_bytes();

}  // namespace bmbt::baremetal
