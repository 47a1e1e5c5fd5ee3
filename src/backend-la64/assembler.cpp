#include "backend-la64/assembler.h"

namespace bmbt::la64 {
namespace {

struct BranchPair { Op a, b; };
constexpr BranchPair kInverse[] = {
    {Op::BEQ, Op::BNE}, {Op::BLT, Op::BGE}, {Op::BLTU, Op::BGEU}, {Op::BEQZ, Op::BNEZ}, {Op::BCEQZ, Op::BCNEZ}};

// pcaddu18i adds hi << 18 to its own pc and jirl adds the sign-extended lo, so lo takes the low 18
// bits of the offset as a signed value and hi the rest (rounded so that hi + lo is exact).
struct PairOffsets { i64 hi, lo; };
PairOffsets split_pair(i64 byte_offset) {
  i64 lo = i64(u64(byte_offset) << 46) >> 46;
  return PairOffsets{(byte_offset - lo) >> 18, lo};
}

}  // namespace

Op inverted_branch(Op op) {
  for (const BranchPair& p : kInverse) {
    if (p.a == op) return p.b;
    if (p.b == op) return p.a;
  }
  return Op::kCount;
}

void Assembler::put_slow(const Encoded& e, Op op) {
  if (!e.ok) { fail(e.error, op); return; }
  if (pos_ >= cap_) { overflow_ = true; fail("code buffer full", op); return; }
  buf_[pos_++] = e.word;
}

void Assembler::add_fixup(Label* l, int operand, Op op, const detail::FastField* field) {
  if (nfix_ >= kMaxFixups) { fail("too many pending branches", op); return; }
  int slot = free_slot_;
  if (slot >= 0) free_slot_ = fixups_[slot].link;
  else slot = slots_used_++;
  const int previous = l->pos < -1 ? -2 - l->pos : -1;
  fixups_[slot] = Fixup{l, field, int(pos_), u8(operand), op, previous, fixup_seq_++};
  l->pos = -2 - slot;
  ++nfix_;
}

Op Assembler::oldest_fixup_op() const {
  const Fixup* oldest = nullptr;
  for (int i = 0; i < slots_used_; ++i)
    if (fixups_[i].label && (!oldest || fixups_[i].seq < oldest->seq)) oldest = &fixups_[i];
  return oldest ? oldest->op : Op::kCount;
}

// Inline in settle(): every pending branch ends here. Without an error so far the branch word
// was written at f.at (a word that is not written records one), so its offset field is patched
// from the recipe alone.
inline void Assembler::resolve(const Fixup& f, int target) {
  if (f.field && !error_ && usize(f.at) < pos_ && buf_) {
    u32 word = buf_[f.at];
    if (detail::patch_with(*f.field, word, i64(target - f.at) * 4)) {
      buf_[f.at] = word;
      return;
    }
  }
  resolve_slow(f, target);
}

void Assembler::resolve_slow(const Fixup& f, int target) {
  // The branch itself was not written (its encoding failed or the buffer was full): the error is
  // already recorded.
  const int words = f.operand == kLongPair ? 2 : 1;
  if (usize(f.at + words) > pos_ || !buf_) return;
  const i64 offset = i64(target - f.at) * 4;
  if (f.operand == kLongPair) {
    PairOffsets p = split_pair(offset);
    Encoded hi = set_operand(Op::PCADDU18I, buf_[f.at], 1, p.hi);
    Encoded lo = set_operand(Op::JIRL, buf_[f.at + 1], 2, p.lo);
    if (!hi.ok || !lo.ok) { fail(hi.ok ? lo.error : hi.error, f.op); return; }
    buf_[f.at] = hi.word;
    buf_[f.at + 1] = lo.word;
    return;
  }
  Encoded e = set_operand(f.op, buf_[f.at], f.operand, offset);
  if (!e.ok) { fail(e.error, f.op); return; }
  buf_[f.at] = e.word;
}

void Assembler::patch_forward_with(usize at, usize to, Op op, int regs, const detail::FastField* field) {
  resolve(Fixup{nullptr, field, int(at), u8(regs), op, -1, 0}, int(to));
}

void Assembler::bind_pending(Label& l) {
  const int latest = -2 - l.pos;
  l.pos = int(pos_);
  // Most labels have one branch: no need to put the chain in emission order.
  if (fixups_[latest].link < 0) {
    settle(latest, l);
    return;
  }
  // The chain runs from the latest branch back; resolve in the order the branches were emitted.
  int chain[kMaxFixups];
  int n = 0;
  for (int slot = latest; slot >= 0 && n < kMaxFixups; slot = fixups_[slot].link) chain[n++] = slot;
  while (n > 0) settle(chain[--n], l);
}

void Assembler::settle(int slot, const Label& l) {
  const Fixup f = fixups_[slot];
  // Only a copy of a label could list another label's branches; those stay pending.
  if (f.label != &l) return;
  fixups_[slot].label = nullptr;
  fixups_[slot].link = free_slot_;
  free_slot_ = slot;
  --nfix_;
  resolve(f, l.pos);
}

bool Assembler::patch_branch(usize at, usize to) {
  Decoded d;
  if (at >= pos_ || !decode(buf_[at], &d)) return false;
  Encoded e = set_operand(buf_[at], d.count - 1, (i64(to) - i64(at)) * 4);
  if (!e.ok) return false;
  buf_[at] = e.word;
  return true;
}

void Assembler::emit_pair(i64 byte_offset, Gpr scratch, bool link) {
  PairOffsets p = split_pair(byte_offset);
  emit(Op::PCADDU18I, scratch, p.hi);
  emit(Op::JIRL, link ? kRaReg : kZeroReg, scratch, p.lo);
}

void Assembler::long_pair(Label& target, Gpr scratch, bool link) {
  if (target.pos >= 0) { emit_pair(i64(target.pos - int(pos_)) * 4, scratch, link); return; }
  add_fixup(&target, kLongPair, Op::PCADDU18I, nullptr);
  emit_pair(0, scratch, link);
}

void Assembler::to_address(u64 address, Gpr scratch, bool link) {
  const Op b = link ? Op::BL : Op::B;
  const i64 offset = i64(address - address_of(pos_));
  if (offset & 3) { fail("branch target misaligned", b); return; }
  if (imm_fits(b, 0, offset)) { emit(b, offset); return; }
  if (imm_fits(Op::PCADDU18I, 1, split_pair(offset).hi)) { emit_pair(offset, scratch, link); return; }
  li(scratch, address);
  emit(Op::JIRL, link ? kRaReg : kZeroReg, scratch, 0);
}

void Assembler::pad(usize count) {
  if (count > cap_ - pos_) { overflow_ = true; fail("code buffer full", Op::ANDI); return; }
  const u32 nop = enc(Op::ANDI, kZeroReg, kZeroReg, 0).word;
  for (usize i = 0; i < count; ++i) buf_[pos_++] = nop;
}

void Assembler::li_long(Gpr rd, u64 value) {
  if (cap_ - pos_ >= 4) {  // room for the longest sequence: written in place
    pos_ += usize(materialize_constant(rd, value, buf_ + pos_));
    return;
  }
  u32 words[4];
  int n = materialize_constant(rd, value, words);
  for (int i = 0; i < n; ++i) {
    if (pos_ >= cap_) { overflow_ = true; fail("code buffer full", Op::LU12I_W); return; }
    buf_[pos_++] = words[i];
  }
}

}  // namespace bmbt::la64
