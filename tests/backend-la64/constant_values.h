// The 64-bit constants materialize_constant() is tested with, shared by the LLVM check (which
// evaluates llvm-objdump's text of the sequences) and the executed check (which runs them under
// qemu-loongarch64): edge values of every piece the instructions build, then 10,000 random ones.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

inline std::vector<uint64_t> constant_test_values() {
  std::vector<uint64_t> values;
  for (uint64_t v : {0ull, 1ull, ~0ull, 0x7ffull, 0x800ull, 0xfffull, 0x1000ull, 0x7fffffffull, 0x80000000ull,
                     0xffffffffull, 0x100000000ull, 0x7ffffffffffffffull, 0x8000000000000000ull, 0x7fffffffffffffffull,
                     0xfffffffffffff800ull, 0xfffffffffffff7ffull, 0xffffffff80000000ull, 0xffffffff7fffffffull,
                     0x000fffffffffffffull, 0x0010000000000000ull, 0xfff0000000000000ull, 0x123456789abcdef0ull,
                     0x000000007ffff800ull, 0xffffffff7ffff801ull, 0x00000000fffff800ull, 0xffffffff00000800ull,
                     0x7ffff00000000000ull, 0x8000080000000000ull, 0x0007ffff80000000ull, 0xfff8000000000fffull})
    values.push_back(v);
  for (int b = 0; b < 64; ++b) {
    uint64_t p = uint64_t(1) << b;
    for (uint64_t v : {p, p - 1, p + 1, ~p, -p, -p - 1, p | 0x800}) values.push_back(v);
  }
  // Boundaries of the 12/20/32/52-bit pieces, both signs.
  for (int b : {11, 12, 20, 31, 32, 51, 52})
    for (int64_t d = -2; d <= 2; ++d) {
      values.push_back((uint64_t(1) << b) + d);
      values.push_back(-(uint64_t(1) << b) + d);
    }
  std::mt19937_64 rng(4242);
  for (int i = 0; i < 10000; ++i) {
    uint64_t v = rng();
    switch (i % 5) {  // also values with zero or all-ones pieces
      case 1: v &= 0xfff0000000000fffull; break;
      case 2: v |= 0x000fffff00000000ull; break;
      case 3: v = uint64_t(int64_t(int32_t(v))); break;
      case 4: v &= ~0xfffff000ull; break;
    }
    values.push_back(v);
  }
  return values;
}
