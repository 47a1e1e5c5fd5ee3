// One lowering per value-producing IR op (software flag strategy). The destination register
// never shares a register with an operand (operands are released only afterwards), so a
// sequence may use it as a temporary; $r21 (kScratch0) is the other temporary.
#include "backend-la64/lowering.h"

namespace bmbt::la64::detail {

void Lowering::lower_value(int i) {
  const ir::Inst& in = b_[i];
  const IrOp op = in.op;
  if (!alloc_dest(i)) return;
  const Gpr d{loc_[i].reg};
  const Type t = in.type;
  const Type at = in.num_args ? b_[in.args[0]].type : t;
  const int aw = ir::bit_width(at);
  i64 k = 0;
  switch (op) {
    case IrOp::GetFlag:
      as_.emit(Op::LD_BU, d, kEnv, i32(guest_flag_offset(u8(in.imm))));
      break;
    case IrOp::Add:
      if (scaled_[i]) {
        const int k_shift = scaled_[i] - 1;
        const ir::Inst& sh = b_[in.args[k_shift]];
        const Value x = sh.args[0];
        as_.emit(Op::ALSL_D, d, reg(x, kScratch3), arg(i, 1 - k_shift), i64(b_[sh.args[1]].imm));
        // x is no operand of the add: free it here if this was its last use.
        if (last_use_[x] == i) release(x);
        break;
      }
      if (arg_const(i, 1, &k) && k >= -2048 && k <= 2047) as_.emit(Op::ADDI_D, d, arg(i, 0), k);
      else as_.emit(Op::ADD_D, d, arg(i, 0), arg(i, 1));
      normalize(d, t);
      break;
    case IrOp::Sub:
      if (arg_const(i, 1, &k) && k >= -2047 && k <= 2048) as_.emit(Op::ADDI_D, d, arg(i, 0), -k);
      else as_.emit(Op::SUB_D, d, arg(i, 0), arg(i, 1));
      normalize(d, t);
      break;
    case IrOp::Mul:
      as_.emit(Op::MUL_D, d, arg(i, 0), arg(i, 1));
      normalize(d, t);
      break;
    case IrOp::MulHighU:
      if (aw == 64) {
        as_.emit(Op::MULH_DU, d, arg(i, 0), arg(i, 1));
      } else {
        as_.emit(Op::MUL_D, d, arg(i, 0), arg(i, 1));
        as_.emit(Op::SRLI_D, d, d, aw);
      }
      break;
    case IrOp::MulHighS:
      if (aw == 64) {
        as_.emit(Op::MULH_D, d, arg(i, 0), arg(i, 1));
      } else {
        sign_extend(d, arg(i, 0), aw);
        sign_extend(kScratch0, arg(i, 1), aw);
        as_.emit(Op::MUL_D, d, d, kScratch0);
        as_.emit(Op::SRAI_D, d, d, aw);
        normalize(d, t);
      }
      break;
    case IrOp::And: case IrOp::Or: case IrOp::Xor: {
      static constexpr Op kReg[] = {Op::AND, Op::OR, Op::XOR};
      static constexpr Op kImm[] = {Op::ANDI, Op::ORI, Op::XORI};
      int n = op == IrOp::And ? 0 : op == IrOp::Or ? 1 : 2;
      u64 c = 0;
      bool small = loc_[in.args[1]].kind == LocKind::kConst && (c = cval_[in.args[1]]) <= 4095;
      if (small) as_.emit_one_of(kImm, usize(n), d, arg(i, 0), c);
      else as_.emit_one_of(kReg, usize(n), d, arg(i, 0), arg(i, 1));
      break;
    }
    case IrOp::Shl:
      if (loc_[in.args[1]].kind == LocKind::kConst) as_.emit(Op::SLLI_D, d, arg(i, 0), cval_[in.args[1]] & 63);
      else as_.emit(Op::SLL_D, d, arg(i, 0), arg(i, 1));
      normalize(d, t);
      break;
    case IrOp::Lshr:
      if (loc_[in.args[1]].kind == LocKind::kConst) as_.emit(Op::SRLI_D, d, arg(i, 0), cval_[in.args[1]] & 63);
      else as_.emit(Op::SRL_D, d, arg(i, 0), arg(i, 1));
      break;
    case IrOp::Ashr: {
      Gpr src = arg(i, 0);
      if (aw < 64) { sign_extend(d, src, aw); src = d; }
      if (loc_[in.args[1]].kind == LocKind::kConst) as_.emit(Op::SRAI_D, d, src, cval_[in.args[1]] & 63);
      else as_.emit(Op::SRA_D, d, src, arg(i, 1));
      normalize(d, t);
      break;
    }
    case IrOp::Not:
      if (t == Type::kI1) as_.emit(Op::XORI, d, arg(i, 0), 1);
      else { as_.emit(Op::NOR, d, arg(i, 0), kZero); normalize(d, t); }
      break;
    case IrOp::Neg:
      as_.emit(Op::SUB_D, d, kZero, arg(i, 0));
      normalize(d, t);
      break;
    case IrOp::Eq: case IrOp::Ne: {
      Gpr x = arg(i, 0);
      if (!(loc_[in.args[1]].kind == LocKind::kConst && cval_[in.args[1]] == 0)) {
        as_.emit(Op::XOR, d, x, arg(i, 1));
        x = d;
      }
      if (op == IrOp::Eq) as_.emit(Op::SLTUI, d, x, 1);
      else as_.emit(Op::SLTU, d, kZero, x);
      break;
    }
    case IrOp::Ult:
      as_.emit(Op::SLTU, d, arg(i, 0), arg(i, 1));
      break;
    case IrOp::Ule:
      as_.emit(Op::SLTU, d, arg(i, 1), arg(i, 0));
      as_.emit(Op::XORI, d, d, 1);
      break;
    case IrOp::Slt: case IrOp::Sle: {
      if (op == IrOp::Slt && loc_[in.args[1]].kind == LocKind::kConst && cval_[in.args[1]] == 0) {
        as_.emit(Op::SRLI_D, d, arg(i, 0), aw - 1);  // operands are zero-extended: the sign bit
        break;
      }
      Gpr a = arg(i, 0), bb = arg(i, 1);
      if (aw < 64) {
        sign_extend(d, a, aw);
        sign_extend(kScratch0, bb, aw);
        a = d;
        bb = kScratch0;
      }
      if (op == IrOp::Slt) {
        as_.emit(Op::SLT, d, a, bb);
      } else {
        as_.emit(Op::SLT, d, bb, a);
        as_.emit(Op::XORI, d, d, 1);
      }
      break;
    }
    case IrOp::Zext:
      as_.move(d, arg(i, 0));
      break;
    case IrOp::Sext:
      sign_extend(d, arg(i, 0), aw);
      normalize(d, t);
      break;
    case IrOp::Trunc:
      if (t == Type::kI1) as_.emit(Op::ANDI, d, arg(i, 0), 1);
      else if (ir::bit_width(t) < 64) as_.emit(Op::BSTRPICK_D, d, arg(i, 0), ir::bit_width(t) - 1, 0);
      else as_.move(d, arg(i, 0));
      break;
    case IrOp::Select: {
      // Operand 2 (constant or spilled) is staged in its own scratch register ($ra).
      Gpr c = arg(i, 0);
      as_.emit(Op::MASKNEZ, d, arg(i, 2), c);
      as_.emit(Op::MASKEQZ, kScratch0, arg(i, 1), c);
      as_.emit(Op::OR, d, d, kScratch0);
      break;
    }
    case IrOp::Rotr: {
      const bool kc = loc_[in.args[1]].kind == LocKind::kConst;
      const u64 n = kc ? cval_[in.args[1]] % u64(aw) : 0;
      if (aw == 64) {
        if (kc) as_.emit(Op::ROTRI_D, d, arg(i, 0), n);
        else as_.emit(Op::ROTR_D, d, arg(i, 0), arg(i, 1));
      } else if (aw == 32) {
        if (kc) as_.emit(Op::ROTRI_W, d, arg(i, 0), n);
        else as_.emit(Op::ROTR_W, d, arg(i, 0), arg(i, 1));
        normalize(d, t);
      } else {
        // i8/i16: copy the value above itself, then a plain right shift brings the wrapped bits in.
        as_.emit(Op::SLLI_D, kScratch0, arg(i, 0), aw);
        as_.emit(Op::OR, kScratch0, kScratch0, arg(i, 0));
        if (kc) as_.emit(Op::SRLI_D, d, kScratch0, n);
        else as_.emit(Op::SRL_D, d, kScratch0, arg(i, 1));
        normalize(d, t);
      }
      break;
    }
    case IrOp::Clz:
      // Containers are zero-extended: count in 64 bits, minus the unused top bits (0 gives the width).
      as_.emit(Op::CLZ_D, d, arg(i, 0));
      if (aw < 64) as_.emit(Op::ADDI_D, d, d, -(64 - aw));
      break;
    case IrOp::Ctz:
      if (aw < 64) {
        as_.li(kScratch0, u64(1) << aw);  // a stop bit: 0 gives the width
        as_.emit(Op::OR, kScratch0, kScratch0, arg(i, 0));
        as_.emit(Op::CTZ_D, d, kScratch0);
      } else {
        as_.emit(Op::CTZ_D, d, arg(i, 0));
      }
      break;
    case IrOp::Popcnt: {
      // No popcount in the base ISA: the SWAR reduction (2-bit, 4-bit, 8-bit sums, then a multiply
      // adds the bytes into the top one). One-operand op: kScratch0 and kScratch2 are free.
      Gpr a = arg(i, 0);
      as_.emit(Op::SRLI_D, kScratch0, a, 1);
      as_.li(d, 0x5555555555555555ull);
      as_.emit(Op::AND, kScratch0, kScratch0, d);
      as_.emit(Op::SUB_D, d, a, kScratch0);
      as_.li(kScratch2, 0x3333333333333333ull);
      as_.emit(Op::SRLI_D, kScratch0, d, 2);
      as_.emit(Op::AND, kScratch0, kScratch0, kScratch2);
      as_.emit(Op::AND, d, d, kScratch2);
      as_.emit(Op::ADD_D, d, d, kScratch0);
      as_.emit(Op::SRLI_D, kScratch0, d, 4);
      as_.emit(Op::ADD_D, d, d, kScratch0);
      as_.li(kScratch2, 0x0f0f0f0f0f0f0f0full);
      as_.emit(Op::AND, d, d, kScratch2);
      as_.li(kScratch2, 0x0101010101010101ull);
      as_.emit(Op::MUL_D, d, d, kScratch2);
      as_.emit(Op::SRLI_D, d, d, 56);
      break;
    }
    case IrOp::Bswap:
      if (aw == 64) as_.emit(Op::REVB_D, d, arg(i, 0));
      else if (aw == 32) { as_.emit(Op::REVB_2W, d, arg(i, 0)); normalize(d, t); }
      else { as_.emit(Op::REVB_4H, d, arg(i, 0)); normalize(d, t); }
      break;
    case IrOp::DivU: case IrOp::RemU: {
      // Zero-extended containers divide correctly as 64-bit values. A zero divisor does not trap on
      // LoongArch but its result is unspecified: force the interpreter's 0.
      Gpr bb = arg(i, 1);
      as_.emit(op == IrOp::DivU ? Op::DIV_DU : Op::MOD_DU, d, arg(i, 0), bb);
      as_.emit(Op::MASKEQZ, d, d, bb);
      break;
    }
    case IrOp::DivS: case IrOp::RemS: {
      // Divide sign-extended values in 64 bits, then pin the cases the hardware leaves unspecified
      // to the interpreter's results: divisor 0 gives 0, divisor -1 gives -a (MIN wraps) / 0.
      Gpr a = arg(i, 0), bb = arg(i, 1), q = kScratch0, c = kScratch2;
      if (aw < 64) {
        sign_extend(d, a, aw);
        sign_extend(kScratch0, bb, aw);
        a = d;
        bb = kScratch0;
        q = kScratch2;
        c = kScratch1;
      }
      as_.emit(op == IrOp::DivS ? Op::DIV_D : Op::MOD_D, q, a, bb);
      as_.emit(Op::MASKEQZ, q, q, bb);
      as_.emit(Op::ADDI_D, c, bb, 1);  // 0 iff the divisor is -1
      if (op == IrOp::DivS) {
        as_.emit(Op::SUB_D, d, kZero, a);
        as_.emit(Op::MASKNEZ, d, d, c);
        as_.emit(Op::MASKEQZ, q, q, c);
        as_.emit(Op::OR, d, d, q);
      } else {
        as_.emit(Op::MASKEQZ, d, q, c);
      }
      normalize(d, t);
      break;
    }
    case IrOp::Parity:
      // Even parity of the low byte: fold to a nibble, then look it up in the 16-bit table 0x9669.
      as_.emit(Op::SRLI_D, kScratch0, arg(i, 0), 4);
      as_.emit(Op::XOR, kScratch0, kScratch0, arg(i, 0));
      as_.emit(Op::ANDI, kScratch0, kScratch0, 15);
      as_.li(d, 0x9669);
      as_.emit(Op::SRL_D, d, d, kScratch0);
      as_.emit(Op::ANDI, d, d, 1);
      break;
    case IrOp::OverflowAdd: case IrOp::OverflowSub: {
      Gpr a = arg(i, 0), bb = arg(i, 1), r = arg(i, 2);
      if (op == IrOp::OverflowAdd) {
        as_.emit(Op::XOR, kScratch0, a, r);
        as_.emit(Op::XOR, d, bb, r);
      } else {
        as_.emit(Op::XOR, kScratch0, a, bb);
        as_.emit(Op::XOR, d, a, r);
      }
      as_.emit(Op::AND, d, d, kScratch0);
      as_.emit(Op::SRLI_D, d, d, aw - 1);
      if (aw < 64) as_.emit(Op::ANDI, d, d, 1);
      break;
    }
    case IrOp::AuxCarry:
      as_.emit(Op::XOR, d, arg(i, 0), arg(i, 1));
      as_.emit(Op::XOR, d, d, arg(i, 2));
      as_.emit(Op::BSTRPICK_D, d, d, 4, 4);
      break;
    default:
      fail(CodegenStatus::kInternal, "IR op without LoongArch lowering");
      return;
  }
  release_dead_args(i);
}

}  // namespace bmbt::la64::detail
