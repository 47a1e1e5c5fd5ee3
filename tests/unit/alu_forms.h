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

enum class Count : u8 { kNone, kShift, kRotate, kDouble };  // how cl acts as a count
enum class Divide : u8 { kNone, kUnsigned, kSigned };          // inputs are adjusted to avoid #DE

struct Form {
  std::string name;
  std::vector<u8> bytes;
  u64 defined_flags;   // flags the SDM defines for this form (others are not compared)
  bool shift = false;  // count in cl: OF defined only for count 1, nothing changes for count 0
  int width = 64;
  Count count = Count::kNone;
  Divide divide = Divide::kNone;
  u64 intel_flags = 0;  // SDM-undefined flags BMBT matches Intel CPUs on (compared on Intel hosts)
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
    // Byte by byte: vector::insert of a possibly empty range draws a false -Wstringop-overread from GCC 12.
    auto with = [&](std::vector<u8> tail) { std::vector<u8> b = w.prefix; for (u8 x : tail) b.push_back(x); return b; };
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
    const u64 mul_undef = kSF | kZF | kAF | kPF;
    if (w.bits != 8) out.push_back({"imul2" + suffix, with({0x0f, 0xaf, 0xc2}), kCF | kOF, false, w.bits, Count::kNone, Divide::kNone, mul_undef});
    out.push_back({"imul1" + suffix, with({u8(0xf6 + wide), 0xea}), kCF | kOF, false, w.bits, Count::kNone, Divide::kNone, mul_undef});
    out.push_back({"mul" + suffix, with({u8(0xf6 + wide), 0xe2}), kCF | kOF, false, w.bits, Count::kNone, Divide::kNone, mul_undef});
    // Rotates by cl (rax), and by 1 / immediate.
    const struct { const char* name; u8 reg; } rots[] = {{"rol", 0}, {"ror", 1}, {"rcl", 2}, {"rcr", 3}};
    for (const auto& r : rots) {
      Form f{std::string(r.name) + suffix, with({u8(0xd2 + wide), u8(0xc0 | r.reg << 3)}), kCF | kOF, true, w.bits, Count::kRotate};
      out.push_back(f);
      out.push_back({std::string(r.name) + "1" + suffix, with({u8(0xd0 + wide), u8(0xc0 | r.reg << 3)}), kCF | kOF, false, w.bits});
      out.push_back({std::string(r.name) + "i5" + suffix, with({u8(0xc0 + wide), u8(0xc0 | r.reg << 3), 5}), kCF, false, w.bits});
    }
    out.push_back({"shl1" + suffix, with({u8(0xd0 + wide), 0xe0}), kArith & ~kAF, false, w.bits});
    out.push_back({"sar1" + suffix, with({u8(0xd0 + wide), 0xf8}), kArith & ~kAF, false, w.bits});
    out.push_back({"shri3" + suffix, with({u8(0xc0 + wide), 0xe8, 3}), kArith & ~(kAF | kOF), false, w.bits});
    // div/idiv rcx (cl): the generator keeps the quotient in range.
    out.push_back({"div" + suffix, with({u8(0xf6 + wide), 0xf1}), 0, false, w.bits, Count::kNone, Divide::kUnsigned});
    out.push_back({"idiv" + suffix, with({u8(0xf6 + wide), 0xf9}), 0, false, w.bits, Count::kNone, Divide::kSigned});
    // High-byte registers: add ah, dl; xchg al, ah; mov dh, al.
    if (w.bits == 8) {
      out.push_back({"add ah,dl", {0x00, 0xd4}, kArith, false, 8});
      out.push_back({"xchg al,ah", {0x86, 0xe0}, 0, false, 8});
      out.push_back({"mov dh,al", {0x88, 0xc6}, 0, false, 8});
      out.push_back({"sub ch,ah", {0x28, 0xe5}, kArith, false, 8});
      out.push_back({"setb al", {0x0f, 0x92, 0xc0}, 0, false, 8});
      out.push_back({"setle ah", {0x0f, 0x9e, 0xc4}, 0, false, 8});
    }
    // xadd rax, rdx; cmpxchg rcx, rdx (accumulator rax).
    out.push_back({"xadd" + suffix, with({0x0f, u8(0xc0 + wide), 0xd0}), kArith, false, w.bits});
    out.push_back({"cmpxchg" + suffix, with({0x0f, u8(0xb0 + wide), 0xd1}), kArith, false, w.bits});
    if (w.bits == 8) continue;
    // Double shifts by cl: shld/shrd rax, rdx, cl.
    out.push_back({"shld" + suffix, with({0x0f, 0xa5, 0xd0}), kArith & ~kAF, true, w.bits, Count::kDouble});
    out.push_back({"shrd" + suffix, with({0x0f, 0xad, 0xd0}), kArith & ~kAF, true, w.bits, Count::kDouble});
    out.push_back({"shldi7" + suffix, with({0x0f, 0xa4, 0xd0, 7}), kArith & ~(kAF | kOF), false, w.bits});
    // Bit tests with a register offset (rdx) into rax, and bit scans / counts of rdx into rax.
    const struct { const char* name; u8 op; } bts[] = {{"bt", 0xa3}, {"bts", 0xab}, {"btr", 0xb3}, {"btc", 0xbb}};
    for (const auto& b : bts) out.push_back({b.name + suffix, with({0x0f, b.op, 0xd0}), kCF, false, w.bits});
    out.push_back({"btsi" + suffix, with({0x0f, 0xba, 0xe8, 35}), kCF, false, w.bits});
    out.push_back({"bsf" + suffix, with({0x0f, 0xbc, 0xc2}), kZF, false, w.bits, Count::kNone, Divide::kNone, kArith});
    out.push_back({"bsr" + suffix, with({0x0f, 0xbd, 0xc2}), kZF, false, w.bits, Count::kNone, Divide::kNone, kArith});
    // f3 is a mandatory prefix: it goes before 0x66 / REX.
    auto f3 = [&](std::vector<u8> tail) { std::vector<u8> b = {0xf3}; for (u8 x : w.prefix) b.push_back(x); for (u8 x : tail) b.push_back(x); return b; };
    out.push_back({"lzcnt" + suffix, f3({0x0f, 0xbd, 0xc2}), kCF | kZF, false, w.bits, Count::kNone, Divide::kNone, kArith});
    out.push_back({"tzcnt" + suffix, f3({0x0f, 0xbc, 0xc2}), kCF | kZF, false, w.bits, Count::kNone, Divide::kNone, kArith});
    out.push_back({"popcnt" + suffix, f3({0x0f, 0xb8, 0xc2}), kArith, false, w.bits});
    out.push_back({"cmovz" + suffix, with({0x0f, 0x44, 0xc2}), 0, false, w.bits});
    out.push_back({"cmovl" + suffix, with({0x0f, 0x4c, 0xc2}), 0, false, w.bits});
    out.push_back({"cmovbe" + suffix, with({0x0f, 0x46, 0xc2}), 0, false, w.bits});
    out.push_back({"xchg" + suffix, with({0x87, 0xd0}), 0, false, w.bits});
    out.push_back({"movzx8" + suffix, with({0x0f, 0xb6, 0xc2}), 0, false, w.bits});
    out.push_back({"movsx8" + suffix, with({0x0f, 0xbe, 0xc2}), 0, false, w.bits});
    out.push_back({"imul3" + suffix, with({0x6b, 0xc2, 0x85}), kCF | kOF, false, w.bits, Count::kNone, Divide::kNone, mul_undef});
    out.push_back({"cbw" + suffix, with({0x98}), 0, false, w.bits});
    out.push_back({"cwd" + suffix, with({0x99}), 0, false, w.bits});
    if (w.bits != 16) out.push_back({"bswap" + suffix, with({0x0f, 0xc8}), 0, false, w.bits});
  }
  out.push_back({"movsxd", {0x48, 0x63, 0xc2}, 0, false, 64});
  out.push_back({"movzx16", {0x0f, 0xb7, 0xc2}, 0, false, 32});
  out.push_back({"lahf", {0x9f}, 0, false, 8});
  out.push_back({"sahf", {0x9e}, kArith & ~kOF, false, 8});
  out.push_back({"clc", {0xf8}, kArith, false, 8});
  out.push_back({"stc", {0xf9}, kArith, false, 8});
  out.push_back({"cmc", {0xf5}, kArith, false, 8});
  out.push_back({"cld", {0xfc}, kArith, false, 8});
  out.push_back({"std cld", {0xfd, 0xfc}, kArith, false, 8});
  out.push_back({"lea", {0x48, 0x8d, 0x44, 0x52, 0x10}, 0, false, 64});  // lea rax, [rdx+rdx*2+16]
  out.push_back({"lea32", {0x67, 0x8d, 0x44, 0x4a, 0xf0}, 0, false, 32});  // lea eax, [edx+ecx*2-16]
  out.push_back({"jrcxz", {0xe3, 0x02, 0x31, 0xc0}, kArith, false, 64});    // jrcxz +2; xor eax, eax
  out.push_back({"loop", {0xe2, 0x02, 0x31, 0xc0}, kArith, false, 64});     // loop +2; xor eax, eax
  out.push_back({"loope32", {0x67, 0xe1, 0x02, 0x31, 0xc0}, kArith, false, 64});
  out.push_back({"loopne", {0xe0, 0x02, 0x31, 0xc0}, kArith, false, 64});
  out.push_back({"nop5", {0x0f, 0x1f, 0x44, 0x00, 0x00}, kArith, false, 64});
  out.push_back({"endbr64", {0xf3, 0x0f, 0x1e, 0xfa}, kArith, false, 64});
  out.push_back({"pause", {0xf3, 0x90}, kArith, false, 64});
  return out;
}

// Makes rax/rdx/rcx valid inputs for `f` (divisions that do not raise #DE).
inline void adjust_inputs(const Form& f, u64& rax, u64& rdx, u64& rcx) {
  if (f.divide == Divide::kNone) return;
  const int w = f.width;
  const u64 m = w == 64 ? ~0ull : (1ull << w) - 1;
  if ((rcx & m) == 0) rcx |= 3;
  if (f.divide == Divide::kUnsigned) {
    // High half below the divisor.
    if (w == 8) rax = (rax & ~0xff00ull) | (u64(u8(rax >> 8) % u8(rcx)) << 8);
    else rdx = (rdx & ~m) | ((rdx & m) % (rcx & m));
    return;
  }
  // Signed: the dividend is the sign extension of its low half, and the divisor is not -1.
  if ((rcx & m) == m) rcx ^= 2;
  const u64 sign = (rax >> (w - 1)) & 1;
  if (w == 8) rax = (rax & ~0xff00ull) | (sign ? 0xff00 : 0);
  else rdx = (rdx & ~m) | (sign ? m : 0);
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
// With `intel`, also the SDM-undefined flags BMBT reproduces from Intel CPUs (OF of shifts and
// rotates by more than 1 is the count-1 value computed from the input).
inline u64 defined_flags(const Form& f, u64 rcx, bool intel = false) {
  u64 mask = f.defined_flags | (intel ? f.intel_flags : 0);
  if (intel && (f.count == Count::kRotate || f.count == Count::kDouble || f.shift)) {
    unsigned count = unsigned(rcx) & (f.width == 64 ? 63 : 31);
    if (f.count == Count::kDouble && count > unsigned(f.width)) return 0;
    if (count >= unsigned(f.width) && f.count != Count::kRotate) mask &= ~kCF;
    return mask;
  }
  if (f.count == Count::kRotate) {
    unsigned count = unsigned(rcx) & (f.width == 64 ? 63 : 31);
    if (count != 1) mask &= ~kOF;
    return mask;
  }
  if (f.count == Count::kDouble) {
    unsigned count = unsigned(rcx) & (f.width == 64 ? 63 : 31);
    if (count != 1) mask &= ~kOF;
    if (count > unsigned(f.width)) mask = 0;  // 16-bit counts above 16: result and flags undefined
    return mask;
  }
  if (f.shift) {
    unsigned count = unsigned(rcx) & (f.width == 64 ? 63 : 31);
    if (count != 1) mask &= ~kOF;
    // For 8/16-bit operands a count past the width leaves CF undefined.
    if (count >= unsigned(f.width)) mask &= ~kCF;
  }
  return mask;
}

}  // namespace bmbt::test

namespace bmbt::test {
// Whether the destination (rax) is defined for these inputs.
inline bool result_defined(const Form& f, u64 rcx) {
  if (f.count == Count::kDouble) return (unsigned(rcx) & (f.width == 64 ? 63 : 31)) <= unsigned(f.width);
  return true;
}
}  // namespace bmbt::test
