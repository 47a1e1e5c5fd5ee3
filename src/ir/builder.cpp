#include "ir/builder.h"

namespace bmbt::ir {

Value Builder::binary(Op op, Value a, Value b) {
  Value v[2] = {a, b};
  return emit(op, type_of(a), 2, v, 0);
}

Value Builder::zext(Type t, Value v) { return type_of(v) == t ? v : width_change(Op::Zext, t, v); }
Value Builder::sext(Type t, Value v) { return type_of(v) == t ? v : width_change(Op::Sext, t, v); }
Value Builder::trunc(Type t, Value v) { return type_of(v) == t ? v : width_change(Op::Trunc, t, v); }

bool Builder::never_constant(Value v) const {
  for (;;) {
    const Inst& in = b_[v];
    switch (in.op) {
      case Op::GetReg: case Op::GetFlag: case Op::Load: case Op::Call: return true;
      case Op::Trunc: case Op::Zext: case Op::Sext: v = in.args[0]; break;
      default: return false;
    }
  }
}

Value Builder::width_change(Op op, Type t, Value v) {
  // The IR passes replace a width change identical to an earlier one by that one (common
  // subexpressions). Of a value that can become a constant they might instead fold it into a
  // constant of its own, so only the others are looked up here.
  if (!never_constant(v)) return emit1(op, t, v, 0);
  const u32 key = u32(v) * 8 + u32(op) * 0x10001u + u32(t);
  Value& slot = widths_[(key * 0x9e3779b1u) >> (32 - kWidthBits)];
  if (slot != kNoValue && slot < b_.size()) {
    const Inst& in = b_[slot];
    if (in.op == op && in.type == t && in.args[0] == v) return slot;
  }
  const Value r = emit1(op, t, v, 0);
  slot = r;
  return r;
}

Value Builder::select(Value cond, Value if_true, Value if_false) {
  Value v[3] = {cond, if_true, if_false};
  return emit(Op::Select, type_of(if_true), 3, v, 0);
}

void Builder::jump(u64 target) {
  b_.term = Terminator{};
  b_.term.kind = TermKind::kJump;
  b_.term.target = target;
}

void Builder::branch(Value cond, u64 taken, u64 not_taken) {
  b_.term = Terminator{};
  b_.term.kind = TermKind::kBranch;
  b_.term.cond = cond;
  b_.term.target = taken;
  b_.term.fallthrough = not_taken;
}

void Builder::jump_indirect(Value target) {
  b_.term = Terminator{};
  b_.term.kind = TermKind::kJumpIndirect;
  b_.term.cond = target;
}

void Builder::exit(ExitReason reason, u64 guest_pc) {
  b_.term = Terminator{};
  b_.term.kind = TermKind::kExit;
  b_.term.reason = reason;
  b_.term.target = guest_pc;
}

}  // namespace bmbt::ir
