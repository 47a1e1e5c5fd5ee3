#include "ir/verifier.h"

#include "ir/guest_state.h"
#include "ir/printer.h"

namespace bmbt::ir {

static bool fail(const Block& b, int i, TextBuf& error, const char* what) {
  error.str("IR verify: ").str(what);
  if (i >= 0) {
    error.str(" at v").dec(i).str(" (");
    print_inst(b, i, error);
    error.ch(')');
  }
  return false;
}

static bool is_int(Type t) { return t != Type::kVoid; }

bool verify(const Block& b, TextBuf& error) {
  for (int i = 0; i < b.size(); ++i) {
    const Inst& in = b[i];
    if (usize(in.op) >= usize(Op::kCount)) return fail(b, i, error, "unknown opcode");
    const OpInfo& info = op_info(in.op);
    if (in.op != Op::Call && in.num_args != info.num_args) return fail(b, i, error, "wrong operand count");
    if (in.op == Op::Call && in.num_args > 3) return fail(b, i, error, "too many call arguments");
    for (int a = 0; a < in.num_args; ++a) {
      if (in.args[a] >= i) return fail(b, i, error, "operand used before its definition");
      if (!is_int(b[in.args[a]].type)) return fail(b, i, error, "operand has no value");
    }
    Type t0 = in.num_args ? b[in.args[0]].type : Type::kVoid;
    switch (info.result) {
      case ResultRule::kVoid:
        if (in.type != Type::kVoid) return fail(b, i, error, "op must not produce a value");
        break;
      case ResultRule::kBool:
        if (in.type != Type::kI1) return fail(b, i, error, "result must be i1");
        break;
      case ResultRule::kSameAsArg0:
        if (in.type != t0) return fail(b, i, error, "result type differs from operand type");
        break;
      case ResultRule::kExplicit:
        break;
    }
    switch (in.op) {
      case Op::Add: case Op::Sub: case Op::Mul: case Op::MulHighS: case Op::MulHighU: case Op::And: case Op::Or: case Op::Xor:
      case Op::Shl: case Op::Lshr: case Op::Ashr: case Op::Eq: case Op::Ne: case Op::Ult:
      case Op::Ule: case Op::Slt: case Op::Sle: case Op::Rotr: case Op::DivU: case Op::DivS: case Op::RemU:
      case Op::RemS:
        if (b[in.args[1]].type != t0) return fail(b, i, error, "operand types differ");
        break;
      case Op::Clz: case Op::Ctz: case Op::Popcnt: case Op::Bswap:
        if (t0 == Type::kI1 || (in.op == Op::Bswap && t0 == Type::kI8)) return fail(b, i, error, "bit op on a type it does not support");
        break;
      case Op::Zext: case Op::Sext:
        if (bit_width(in.type) < bit_width(t0)) return fail(b, i, error, "extension to a narrower type");
        break;
      case Op::Trunc:
        if (bit_width(in.type) > bit_width(t0)) return fail(b, i, error, "truncation to a wider type");
        break;
      case Op::Select:
        if (t0 != Type::kI1) return fail(b, i, error, "select condition must be i1");
        if (b[in.args[1]].type != in.type || b[in.args[2]].type != in.type)
          return fail(b, i, error, "select arms differ from result type");
        break;
      case Op::SetFlag: case Op::SetFlagOnFault:
        if (t0 != Type::kI1) return fail(b, i, error, "flag value must be i1");
        [[fallthrough]];
      case Op::GetFlag:
        if (in.imm >= kFlagCount) return fail(b, i, error, "bad flag number");
        break;
      case Op::SetReg:
        if (t0 != Type::kI64) return fail(b, i, error, "register value must be i64");
        [[fallthrough]];
      case Op::GetReg:
        if (in.imm >= kGuestRegCount) return fail(b, i, error, "bad guest register");
        if (in.op == Op::GetReg && in.type != Type::kI64) return fail(b, i, error, "register read must be i64");
        break;
      case Op::Load: case Op::Store:
        if (t0 != Type::kI64) return fail(b, i, error, "address must be i64");
        if (in.op == Op::Load && (in.type == Type::kVoid || in.type == Type::kI1))
          return fail(b, i, error, "load type must be i8..i64");
        break;
      case Op::Const:
        if (in.type == Type::kVoid) return fail(b, i, error, "constant without type");
        if (in.imm & ~type_mask(in.type)) return fail(b, i, error, "constant wider than its type");
        break;
      default: break;
    }
  }
  const Terminator& t = b.term;
  switch (t.kind) {
    case TermKind::kNone: return fail(b, -1, error, "block has no terminator");
    case TermKind::kBranch:
      if (t.cond >= b.size() || b[t.cond].type != Type::kI1) return fail(b, -1, error, "branch condition must be an i1 value");
      break;
    case TermKind::kJumpIndirect:
      if (t.cond >= b.size() || b[t.cond].type != Type::kI64) return fail(b, -1, error, "indirect target must be an i64 value");
      break;
    default: break;
  }
  return true;
}

}  // namespace bmbt::ir
