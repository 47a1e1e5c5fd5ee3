// Objects the bare-metal kernel creates once and keeps (engine, JIT, machine): constructed in
// zero-filled pages from platform::alloc_pages, never destroyed.
#pragma once
#include "platform/platform.h"
#include "support/placement_new.h"

namespace bmbt::baremetal {

template <class T, class... Args>
T* make(Args&&... args) {
  void* p = platform::alloc_pages(sizeof(T));
  return p ? new (p) T(static_cast<Args&&>(args)...) : nullptr;
}

}  // namespace bmbt::baremetal
