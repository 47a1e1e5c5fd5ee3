// Placement new without depending on a C++ library on bare metal.
#pragma once
#include "support/types.h"

#if !defined(BMBT_FREESTANDING) && __has_include(<new>)
#include <new>
#else
inline void* operator new(bmbt::usize, void* where) noexcept { return where; }
#endif
