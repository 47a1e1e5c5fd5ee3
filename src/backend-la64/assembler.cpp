#include "backend-la64/assembler.h"

namespace bmbt::la64 {

void Assembler::put(const Encoded& e, Op op) {
  if (!e.ok) { fail(e.error, op); return; }
  if (pos_ >= cap_) { overflow_ = true; fail("code buffer full", op); return; }
  buf_[pos_++] = e.word;
}

void Assembler::bind(Label& l) {
  l.pos = int(pos_);
  int kept = 0;
  for (int i = 0; i < nfix_; ++i) {
    Fixup f = fixups_[i];
    if (f.label != &l) { fixups_[kept++] = f; continue; }
    if (usize(f.at) >= pos_ || !buf_) continue;
    Encoded e = set_operand(buf_[f.at], f.operand, i64(l.pos - f.at) * 4);
    if (!e.ok) { fail(e.error, Op::B); continue; }
    buf_[f.at] = e.word;
  }
  nfix_ = kept;
}

bool Assembler::patch_branch(usize at, usize to) {
  Decoded d;
  if (at >= pos_ || !decode(buf_[at], &d)) return false;
  Encoded e = set_operand(buf_[at], d.count - 1, (i64(to) - i64(at)) * 4);
  if (!e.ok) return false;
  buf_[at] = e.word;
  return true;
}

void Assembler::li(Gpr rd, u64 value) {
  u32 words[4];
  int n = materialize_constant(rd, value, words);
  for (int i = 0; i < n; ++i) {
    if (pos_ >= cap_) { overflow_ = true; fail("code buffer full", Op::LU12I_W); return; }
    buf_[pos_++] = words[i];
  }
}

}  // namespace bmbt::la64
