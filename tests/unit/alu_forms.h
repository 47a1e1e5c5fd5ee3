// The x86 instruction forms and operand generator shared by the CPU-vs-interpreter test (host)
// and the JIT-vs-interpreter test (LoongArch). Operands: rax (destination), rdx (source),
// rcx (shift count); encodings written out by hand from the SDM's opcode tables.
#pragma once
#include <random>
#include <string>
#include <vector>

#include "support/types.h"

namespace bmbt::test {

constexpr u64 kCF = 1, kPF = 4, kAF = 0x10, kZF = 0x40, kSF = 0x80, kOF = 0x800;
constexpr u64 kArith = kCF | kPF | kAF | kZF | kSF | kOF;

struct Form {
  std::string name;
  std::vector<u8> bytes;
  u64 defined_flags;   // flags the SDM defines for this form (others are not compared)
  bool shift = false;  // count in cl: OF defined only for count 1, nothing changes for count 0
  int width = 64;
};

inline std::vector<Form> forms() {
  std::vector<Form> out;
  struct Alu { const char* name; u8 op8; u64 flags; };
  const Alu alus[] = {{"add", 0x00, kArith}, {"or", 0x08, kArith & ~kAF}, {"adc", 0x10, kArith}, {"sbb", 0x18, kArith},
                      {"and", 0x20, kArith & ~kAF}, {"sub", 0x28, kArith}, {"xor", 0x30, kArith & ~kAF},
                      {"cmp", 0x38, kArith}, {"test", 0x84, kArith & ~kAF}};
  struct Width { int bits; std::vector<u8> prefix; };
  const Width widths[] = {{8, {}}, {16, {0x66}}, {32, {}}, {64, {0x48}}};
  for (const Width& w : widths) {
    auto with = [&](std::vector<u8> tail) { std::vector<u8> b = w.prefix; b.insert(b.end(), tail.begin(), tail.end()); return b; };
    u8 wide = w.bits == 8 ? 0 : 1;
    std::string suffix = "/" + std::to_string(w.bits);
    for (const Alu& a : alus) out.push_back({a.name + suffix, with({u8(a.op8 + wide), 0xd0}), a.flags, false, w.bits});
    out.push_back({"inc" + suffix, with({u8(0xfe + wide), 0xc0}), kArith & ~kCF, false, w.bits});
    out.push_back({"dec" + suffix, with({u8(0xfe + wide), 0xc8}), kArith & ~kCF, false, w.bits});
    out.push_back({"neg" + suffix, with({u8(0xf6 + wide), 0xd8}), kArith, false, w.bits});
    out.push_back({"not" + suffix, with({u8(0xf6 + wide), 0xd0}), kArith, false, w.bits});
    out.push_back({"shl" + suffix, with({u8(0xd2 + wide), 0xe0}), kArith & ~kAF, true, w.bits});
    out.push_back({"shr" + suffix, with({u8(0xd2 + wide), 0xe8}), kArith & ~kAF, true, w.bits});
    out.push_back({"sar" + suffix, with({u8(0xd2 + wide), 0xf8}), kArith & ~kAF, true, w.bits});
    if (w.bits != 8) out.push_back({"imul2" + suffix, with({0x0f, 0xaf, 0xc2}), kCF | kOF, false, w.bits});
    out.push_back({"imul1" + suffix, with({u8(0xf6 + wide), 0xea}), kCF | kOF, false, w.bits});
    out.push_back({"mul" + suffix, with({u8(0xf6 + wide), 0xe2}), kCF | kOF, false, w.bits});
  }
  return out;
}

inline u64 interesting(std::mt19937_64& rng) {
  static const u64 edges[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
                              0xffffffff, 0x7fffffffffffffff, 0x8000000000000000, ~0ull, 0x0f, 0x10};
  u64 pick = rng() % 4;
  if (pick == 0) return edges[rng() % (sizeof(edges) / sizeof(edges[0]))];
  if (pick == 1) return rng() & 0xff;
  return rng();
}


// Defined flags of `f` for the given inputs.
inline u64 defined_flags(const Form& f, u64 rcx) {
  u64 mask = f.defined_flags;
  if (f.shift) {
    unsigned count = unsigned(rcx) & (f.width == 64 ? 63 : 31);
    if (count != 1) mask &= ~kOF;
    // For 8/16-bit operands a count past the width leaves CF undefined.
    if (count >= unsigned(f.width)) mask &= ~kCF;
  }
  return mask;
}

}  // namespace bmbt::test
