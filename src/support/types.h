// Basic fixed-width types for the freestanding core. Only compiler-provided C headers are used
// (stdint.h/stddef.h come with the compiler itself, also for loongarch64-unknown-elf), so every
// file under src/ except platform/linux-* builds without a C or C++ library.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace bmbt {
using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using i8 = int8_t;
using i16 = int16_t;
using i32 = int32_t;
using i64 = int64_t;
using usize = size_t;

template <class T, usize N>
constexpr usize array_size(const T (&)[N]) { return N; }
}  // namespace bmbt
