// Builder: appends typed instructions to a Block. The frontend never fills Inst by hand.
// Running out of room is recorded (overflowed()) instead of failing each call: the frontend
// checks the room before each guest instruction and ends the block early, so overflow means a
// single guest instruction needed more than the reserve — reported as an internal error.
#pragma once
#include "ir/ir.h"

namespace bmbt::ir {

class Builder {
 public:
  explicit Builder(Block& block) : b_(block) {
    static_assert(kNoValue == 0xffff, "cleared bytewise");
    __builtin_memset(widths_, 0xff, sizeof widths_);
  }
  Block& block() { return b_; }
  bool overflowed() const { return overflowed_; }
  Type type_of(Value v) const { return b_[v].type; }

  Value constant(Type t, u64 value) { return emit(Op::Const, t, 0, nullptr, value & type_mask(t)); }
  Value i64c(u64 v) { return constant(Type::kI64, v); }
  Value boolean(bool v) { return constant(Type::kI1, v ? 1 : 0); }

  Value get_reg(u8 reg) { return emit(Op::GetReg, Type::kI64, 0, nullptr, reg); }
  void set_reg(u8 reg, Value v) { emit1(Op::SetReg, Type::kVoid, v, reg); }
  Value get_flag(u8 flag) { return emit(Op::GetFlag, Type::kI1, 0, nullptr, flag); }
  void set_flag(u8 flag, Value v) { emit1(Op::SetFlag, Type::kVoid, v, flag); }

  Value binary(Op op, Value a, Value b);
  Value add(Value a, Value b) { return binary(Op::Add, a, b); }
  Value sub(Value a, Value b) { return binary(Op::Sub, a, b); }
  Value mul(Value a, Value b) { return binary(Op::Mul, a, b); }
  Value and_(Value a, Value b) { return binary(Op::And, a, b); }
  Value or_(Value a, Value b) { return binary(Op::Or, a, b); }
  Value xor_(Value a, Value b) { return binary(Op::Xor, a, b); }
  Value shl(Value a, Value b) { return binary(Op::Shl, a, b); }
  Value lshr(Value a, Value b) { return binary(Op::Lshr, a, b); }
  Value ashr(Value a, Value b) { return binary(Op::Ashr, a, b); }
  Value not_(Value a) { return emit1(Op::Not, type_of(a), a, 0); }
  Value neg(Value a) { return emit1(Op::Neg, type_of(a), a, 0); }

  Value compare(Op op, Value a, Value b) { Value v[2] = {a, b}; return emit(op, Type::kI1, 2, v, 0); }
  Value eq(Value a, Value b) { return compare(Op::Eq, a, b); }
  Value ne(Value a, Value b) { return compare(Op::Ne, a, b); }
  Value ult(Value a, Value b) { return compare(Op::Ult, a, b); }
  Value slt(Value a, Value b) { return compare(Op::Slt, a, b); }

  // Width changes; a no-op change returns the value itself.
  Value zext(Type t, Value v);
  Value sext(Type t, Value v);
  Value trunc(Type t, Value v);
  Value select(Value cond, Value if_true, Value if_false);

  Value parity(Value v) { return emit1(Op::Parity, Type::kI1, v, 0); }
  Value overflow_add(Value a, Value b, Value r) { return flag3(Op::OverflowAdd, a, b, r); }
  Value overflow_sub(Value a, Value b, Value r) { return flag3(Op::OverflowSub, a, b, r); }
  Value aux_carry(Value a, Value b, Value r) { return flag3(Op::AuxCarry, a, b, r); }

  Value load(Type t, Value addr, u8 segment) { return emit1(Op::Load, t, addr, segment); }
  void store(Value addr, Value v, u8 segment) { Value a[2] = {addr, v}; emit(Op::Store, Type::kVoid, 2, a, segment); }
  Value call(u16 helper, Type result, int argc, const Value* args) {
    calls_emitted_ += !b_.full();  // counted when appended (append refuses only a full block)
    return emit(Op::Call, result, u8(argc), args, helper);
  }
  // Helper calls appended through this builder so far. Two readings tell whether a call was
  // emitted between them without scanning the block (the frontend's precise state rule).
  u32 calls_emitted() const { return calls_emitted_; }

  // `mask` is a FlagBit mask; see flag_groups.h for the immediate's layout.
  void flag_group(u8 kind, u8 mask, Value a, Value b) {
    Value v[2] = {a, b};
    emit(Op::FlagGroup, Type::kVoid, 2, v, u64(kind) | u64(mask) << 8);
    b_.has_flag_groups = true;
  }

  void insn_start(u64 guest_pc) { emit(Op::InsnStart, Type::kVoid, 0, nullptr, guest_pc); }

  // Terminators.
  void jump(u64 target);
  void branch(Value cond, u64 taken, u64 not_taken);
  void jump_indirect(Value target);
  // Calls and returns: jumps with return-address prediction hints (Terminator::return_pc).
  void call(u64 target, u64 return_pc) { jump(target); b_.term.return_pc = return_pc; }
  void call_indirect(Value target, u64 return_pc) { jump_indirect(target); b_.term.return_pc = return_pc; }
  void ret(Value target) { jump_indirect(target); b_.term.is_return = true; }
  void exit(ExitReason reason, u64 guest_pc);

 private:
  // Inline: every IR instruction the frontend makes goes through here.
  Value emit(Op op, Type t, u8 n, const Value* args, u64 imm) {
    Inst inst;
    inst.op = op;
    inst.type = t;
    inst.num_args = n;
    for (int i = 0; i < 3; ++i) inst.args[i] = i < n ? args[i] : kNoValue;
    inst.imm = imm;
    Value v = b_.append(inst);
    if (v == kNoValue) {
      overflowed_ = true;
      return 0;  // a valid index keeps later calls well-defined; the block is discarded anyway
    }
    return v;
  }
  Value emit1(Op op, Type t, Value a, u64 imm) { return emit(op, t, 1, &a, imm); }
  Value flag3(Op op, Value a, Value b, Value r) { Value v[3] = {a, b, r}; return emit(op, Type::kI1, 3, v, 0); }

  // Width changes (zext, sext, trunc) of values no pass can turn into a constant (state reads,
  // loads, helper results and width changes of those) are emitted once per block and reused, as
  // the passes' common-subexpression elimination would: `test dil, dil` truncates rdi once.
  bool never_constant(Value v) const;
  Value width_change(Op op, Type t, Value v);
  // Direct-mapped by (value, op, type); an entry is checked against the block itself, so the
  // table needs no keys, only clearing (kNoValue) when the builder starts.
  static constexpr int kWidthBits = 5;
  Value widths_[1 << kWidthBits];

  Block& b_;
  bool overflowed_ = false;
  u32 calls_emitted_ = 0;
};

}  // namespace bmbt::ir
