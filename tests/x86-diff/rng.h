// The tester's pseudo-random stream: splitmix64 seeded from (seed, case index, attempt), so a
// case can be rebuilt alone from its seed and index.
#pragma once
#include "layout.h"

namespace bmbt::x86diff {

class Rng {
 public:
  Rng(u64 seed, u64 index, u64 attempt) : s_(seed * 0x2545f4914f6cdd1dull ^ (index + 1) * 0x9e3779b97f4a7c15ull ^ attempt << 56) {
    next();
  }
  u64 next() { return splitmix64(s_); }
  u64 below(u64 n) { return n ? next() % n : 0; }
  bool chance(int percent) { return below(100) < u64(percent); }
  // Register and immediate values: edge values a third of the time, small values, or random.
  u64 value() {
    static const u64 kEdges[] = {0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff,
                                 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000,
                                 ~0ull, ~0ull - 1, 0x0f, 0x10, 0x5555555555555555, 0xaaaaaaaaaaaaaaaa};
    switch (below(6)) {
      case 0: case 1: return kEdges[below(sizeof kEdges / sizeof kEdges[0])];
      case 2: return below(0x200);
      case 3: return ~below(0x200);
      default: return next();
    }
  }

 private:
  u64 s_;
};

}  // namespace bmbt::x86diff
