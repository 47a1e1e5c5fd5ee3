// Removing instructions from a block in two steps: a backward walk marks each value (used or
// not, then kept or removed), and one forward pass moves the kept instructions and renumbers
// their operands from the marks alone (remove_dead_code, remove_dead_values).
#pragma once
#include "ir/ir.h"

namespace bmbt::ir {

// One word per value, which the walk turns from the first meaning into the second when it
// reaches the value: before, whether a later instruction (or the terminator) needs it
// (kUnused, kUsed); after, whether it stays and where: kRemoved, or the number of instructions
// removed after it (so that its new index is its index minus those removed before it).
using Mark = u16;
constexpr Mark kUnused = 0xffff;
constexpr Mark kRemoved = 0xffff;  // the same word: a removed value was unused
constexpr Mark kUsed = 0xfffe;     // above any count of removed instructions
static_assert(Block::kMaxInsts < kUsed, "counts below the markers");
constexpr int kMarkCount = Block::kMaxInsts + 16;  // room for fill_unused's whole steps

// 32 bytes per step: libc's memset clears with `rep stosb` above a few KB, which callgrind
// counts once per byte. `count` is rounded up to whole steps (kMarkCount has room).
inline void fill_unused(Mark* marks, int count) {
  static_assert(kUnused == 0xffff, "all bits set");
  u64* words = reinterpret_cast<u64*>(marks);
  u64* const end = words + (count + 15) / 16 * 4;
  for (; words < end; words += 4) {
    words[0] = words[1] = words[2] = words[3] = ~u64(0);
    asm("" : "+r"(words));  // keeps the loop a loop (gcc would turn it into a memset call)
  }
}

// New index of value v once the instructions marked kRemoved are gone (v stays).
inline Value moved(const Mark* marks, int removed, Value v) { return Value(v - removed + marks[v]); }

// Removes the instructions marked kRemoved, the first at index `first`, and renumbers the
// rest; every other mark holds how many were removed after it. Instructions before `first`
// keep their place and their operands (their marks say `removed`: `moved` leaves them).
inline void compact_marked(Block& b, const Mark* marks, int first, int removed) {
  // By operand count, one jump (a count is at most three).
  static const void* const kRename[4] = {&&next, &&rename_1, &&rename_2, &&rename_3};
  const int n = b.size();
  // Pointers rather than indices: one step per instruction for each. b[first] is removed.
  Inst* out = &b[first];
  const Inst* in = out + 1;
  const Mark* const end = marks + n;
  for (const Mark* mark = marks + first + 1; mark < end; ++mark, ++in) {
    if (*mark == kRemoved) continue;
    *out = *in;
    goto *kRename[out->num_args];
  rename_3:
    out->args[2] = moved(marks, removed, out->args[2]);
  rename_2:
    out->args[1] = moved(marks, removed, out->args[1]);
  rename_1:
    out->args[0] = moved(marks, removed, out->args[0]);
  next:
    ++out;
  }
  b.truncate(n - removed);
  if (b.term.cond != kNoValue) b.term.cond = moved(marks, removed, b.term.cond);
}

}  // namespace bmbt::ir
