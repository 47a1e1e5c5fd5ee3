// The flag look-ahead's remembered results (Decoder::LookaheadMemo, flag_lookahead.cpp) against
// fresh scans: the same answer for every question, also after the code it scanned was rewritten
// (self-modifying code) or became readable or unreadable. Two deliberate bugs in the check of
// remembered fetches (bytes not compared; an unreadable fetch taken as unchanged) each failed it.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "frontend-x86/flag_lookahead.h"

using namespace bmbt;

namespace {

u64 splitmix(u64& s) {
  u64 z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Instructions that read, write, keep or ignore flags, and the branches the scan follows; a
// rel8 or rel32 is filled in at random.
struct Pattern {
  u8 bytes[5];
  int len;
  int rel;  // size of a relative target at the end (0, 1 or 4)
};
constexpr Pattern kPatterns[] = {
    {{0x01, 0xc8}, 2, 0},        // add eax, ecx: writes all
    {{0x11, 0xc8}, 2, 0},        // adc eax, ecx: reads CF
    {{0x0f, 0x44, 0xc1}, 3, 0},  // cmovz eax, ecx: reads ZF
    {{0x89, 0xc8}, 2, 0},        // mov eax, ecx: none
    {{0x8b, 0x01}, 2, 0},        // mov eax, [rcx]: none
    {{0xd1, 0xe0}, 2, 0},        // shl eax, 1
    {{0xf8}, 1, 0},              // clc
    {{0xfe, 0xc0}, 2, 0},        // inc al: keeps CF
    {{0x90}, 1, 0},              // nop
    {{0xc3}, 1, 0},              // ret
    {{0x74}, 1, 1},              // jz rel8
    {{0x72}, 1, 1},              // jb rel8
    {{0xeb}, 1, 1},              // jmp rel8
    {{0xe8}, 1, 4},              // call rel32
    {{0x0f, 0x85}, 2, 4},        // jnz rel32
    {{0xff, 0xe0}, 2, 0},        // jmp rax
    {{0x0f, 0x0b}, 2, 0},        // ud2
};

// Writes one random instruction at `at` (cut short at the end of the area).
void put_insn(std::vector<u8>& code, usize at, u64& rng) {
  const Pattern& p = kPatterns[splitmix(rng) % (sizeof(kPatterns) / sizeof(kPatterns[0]))];
  u8 b[9];
  int n = 0;
  for (int i = 0; i < p.len; ++i) b[n++] = p.bytes[i];
  // Relative targets mostly inside the area, sometimes outside (unfetchable).
  const i32 rel = i32(splitmix(rng) % 96) - 48 + (splitmix(rng) % 16 == 0 ? 4096 : 0);
  for (int i = 0; i < p.rel; ++i) b[n++] = u8(u32(rel) >> (8 * i));
  for (int i = 0; i < n && at + usize(i) < code.size(); ++i) code[at + usize(i)] = b[i];
}

// Guest code whose readable part can shrink and grow (a page unmapped and mapped again).
class Area final : public x86::CodeSource {
 public:
  static constexpr u64 kBase = 0x10000;
  std::vector<u8> bytes = std::vector<u8>(160);
  usize readable = 160;

  int fetch(u64 pc, u8* out, int max) override {
    if (pc < kBase || pc - kBase >= readable) return 0;
    const usize off = usize(pc - kBase);
    const int n = int(readable - off < usize(max) ? readable - off : usize(max));
    for (int i = 0; i < n; ++i) out[i] = bytes[off + usize(i)];
    return n;
  }
};

}  // namespace

TEST_CASE("flag look-ahead: remembered results equal fresh scans, also after the code changes") {
  u64 rng = 99;
  Area source;
  std::vector<u8>& code = source.bytes;
  for (usize at = 0; at < code.size();) {
    put_insn(code, at, rng);
    at += 1 + splitmix(rng) % 4;  // overlapping and misaligned instructions too
  }
  auto remembering = std::make_unique<x86::Decoder>();
  auto fresh = std::make_unique<x86::Decoder>();
  int failures = 0, changes = 0;
  for (int n = 0; n < 200000; ++n) {
    // Questions about a few addresses, so that most are asked again.
    const u64 pc = Area::kBase + splitmix(rng) % 24 * 5 % code.size() - (splitmix(rng) % 64 == 0 ? 8 : 0);
    static constexpr u8 kWanted[] = {ir::kArithFlags, ir::kArithFlags, ir::kFlagCF, ir::kFlagZF, ir::kFlagSF | ir::kFlagOF};
    const u8 wanted = splitmix(rng) % 16 == 0 ? u8(1 + splitmix(rng) % ir::kArithFlags) : kWanted[splitmix(rng) % 5];
    const int depth = splitmix(rng) % 4 == 0 ? 0 : 1;
    const u8 got = x86::flags_read_before_written(*remembering, source, pc, wanted, depth);
    fresh->forget();
    const u8 want = x86::flags_read_before_written(*fresh, source, pc, wanted, depth);
    if (got != want && ++failures <= 10) MESSAGE("question ", n, ": pc ", pc, " remembered ", int(got), " fresh ", int(want));
    // Self-modifying code: rewrite an instruction now and then, or change how much is readable.
    if (splitmix(rng) % 32 == 0) {
      put_insn(code, usize(splitmix(rng) % code.size()), rng);
      ++changes;
    }
    if (splitmix(rng) % 256 == 0) {
      source.readable = code.size() - splitmix(rng) % 48;
      ++changes;
    }
  }
  const u64 hits = remembering->lookahead_memo().hits;
  MESSAGE("200000 questions, ", changes, " changes of the code, ", hits, " answers remembered");
  CHECK(hits > 10000);
  CHECK(failures == 0);
}
