// A code buffer with labels on top of the table-driven encoder. An instruction that cannot be
// encoded (operand out of range: a code-generator bug) or a full buffer is recorded as an error
// instead of producing a wrong word; the caller checks ok() once per block.
#pragma once
#include "backend-la64/encoding.h"

namespace bmbt::la64 {

struct Label {
  int pos = -1;  // word index once bound
};

class Assembler {
 public:
  static constexpr int kMaxFixups = 512;

  Assembler(u32* buffer, usize capacity_words) : buf_(buffer), cap_(capacity_words) {}

  template <class... A>
  void emit(Op op, A... operands) { put(enc(op, operands...), op); }
  // A branch (b, bl, beq.., beqz/bnez) to a label; the offset operand is the last one.
  template <class... A>
  void branch(Op op, Label& target, A... regs) {
    if (target.pos >= 0) {
      emit(op, regs..., i64(target.pos - int(pos_)) * 4);
      return;
    }
    if (nfix_ >= kMaxFixups) { fail("too many pending branches", op); return; }
    fixups_[nfix_++] = Fixup{&target, int(pos_), int(sizeof...(A))};
    emit(op, regs..., 0);
  }
  void bind(Label& l);
  // Any 64-bit constant in the fewest instructions.
  void li(Gpr rd, u64 value);
  void move(Gpr rd, Gpr rs) { if (rd.n != rs.n) emit(Op::OR, rd, rs, kZeroReg); }

  usize size() const { return pos_; }
  u32* words() const { return buf_; }
  bool ok() const { return error_ == nullptr; }
  const char* error() const { return error_; }
  Op error_op() const { return error_op_; }
  bool overflowed() const { return overflow_; }
  // Patches the offset of an already emitted branch at `at` to target `to` (word indices).
  bool patch_branch(usize at, usize to);

 private:
  static constexpr Gpr kZeroReg{0};
  struct Fixup { Label* label; int at; int operand; };
  void put(const Encoded& e, Op op);
  void fail(const char* why, Op op) { if (!error_) { error_ = why; error_op_ = op; } }

  u32* buf_;
  usize cap_;
  usize pos_ = 0;
  Fixup fixups_[kMaxFixups];
  int nfix_ = 0;
  const char* error_ = nullptr;
  Op error_op_ = Op::kCount;
  bool overflow_ = false;
};

}  // namespace bmbt::la64
