#include "backend-la64/lbt_flags.h"

#include "backend-la64/lowering.h"
#include "ir/guest_state.h"

namespace bmbt::la64 {

void emit_eflags_to_state(Assembler& as, Gpr env, Gpr t, Gpr u) {
  as.emit(Op::X86MFFLAG, t, kAllFlagsMask);
  for (u8 f = 0; f < 6; ++f) {
    as.emit(Op::BSTRPICK_D, u, t, kEflagsBit[f], kEflagsBit[f]);
    as.emit(Op::ST_B, u, env, i32(guest_flag_offset(f)));
  }
}

void emit_state_to_eflags(Assembler& as, Gpr env, Gpr t, Gpr u) {
  as.emit(Op::LD_BU, t, env, i32(guest_flag_offset(ir::kCF)));  // CF is bit 0: no insert needed
  for (u8 f = 1; f < 6; ++f) {
    as.emit(Op::LD_BU, u, env, i32(guest_flag_offset(f)));
    as.emit(Op::BSTRINS_D, t, u, kEflagsBit[f], kEflagsBit[f]);
  }
  as.emit(Op::X86MTFLAG, t, kAllFlagsMask);
}

namespace {

using K = ir::FlagGroupKind;

// Register forms by kind, widths 8/16/32/64.
constexpr Op kRegForm[int(K::kCount)][4] = {
    {Op::X86ADD_B, Op::X86ADD_H, Op::X86ADD_W, Op::X86ADD_D},
    {Op::X86SUB_B, Op::X86SUB_H, Op::X86SUB_W, Op::X86SUB_D},
    {Op::X86ADC_B, Op::X86ADC_H, Op::X86ADC_W, Op::X86ADC_D},
    {Op::X86SBC_B, Op::X86SBC_H, Op::X86SBC_W, Op::X86SBC_D},
    {Op::X86AND_B, Op::X86AND_H, Op::X86AND_W, Op::X86AND_D},
    {Op::X86OR_B, Op::X86OR_H, Op::X86OR_W, Op::X86OR_D},
    {Op::X86XOR_B, Op::X86XOR_H, Op::X86XOR_W, Op::X86XOR_D},
    {Op::X86INC_B, Op::X86INC_H, Op::X86INC_W, Op::X86INC_D},
    {Op::X86DEC_B, Op::X86DEC_H, Op::X86DEC_W, Op::X86DEC_D},
    {Op::X86SLL_B, Op::X86SLL_H, Op::X86SLL_W, Op::X86SLL_D},
    {Op::X86SRL_B, Op::X86SRL_H, Op::X86SRL_W, Op::X86SRL_D},
    {Op::X86SRA_B, Op::X86SRA_H, Op::X86SRA_W, Op::X86SRA_D},
    {Op::X86ROTL_B, Op::X86ROTL_H, Op::X86ROTL_W, Op::X86ROTL_D},
    {Op::X86ROTR_B, Op::X86ROTR_H, Op::X86ROTR_W, Op::X86ROTR_D},
    {Op::X86RCL_B, Op::X86RCL_H, Op::X86RCL_W, Op::X86RCL_D},
    {Op::X86RCR_B, Op::X86RCR_H, Op::X86RCR_W, Op::X86RCR_D},
    {Op::X86MUL_B, Op::X86MUL_H, Op::X86MUL_W, Op::X86MUL_D},
    {Op::X86MUL_BU, Op::X86MUL_HU, Op::X86MUL_WU, Op::X86MUL_DU},
};

// Immediate forms of the shifts and rotates (kShl..kRcr), widths 8/16/32/64.
constexpr Op kImmForm[7][4] = {
    {Op::X86SLLI_B, Op::X86SLLI_H, Op::X86SLLI_W, Op::X86SLLI_D},
    {Op::X86SRLI_B, Op::X86SRLI_H, Op::X86SRLI_W, Op::X86SRLI_D},
    {Op::X86SRAI_B, Op::X86SRAI_H, Op::X86SRAI_W, Op::X86SRAI_D},
    {Op::X86ROTLI_B, Op::X86ROTLI_H, Op::X86ROTLI_W, Op::X86ROTLI_D},
    {Op::X86ROTRI_B, Op::X86ROTRI_H, Op::X86ROTRI_W, Op::X86ROTRI_D},
    {Op::X86RCLI_B, Op::X86RCLI_H, Op::X86RCLI_W, Op::X86RCLI_D},
    {Op::X86RCRI_B, Op::X86RCRI_H, Op::X86RCRI_W, Op::X86RCRI_D},
};

int width_index(int width) { return width == 8 ? 0 : width == 16 ? 1 : width == 32 ? 2 : 3; }

}  // namespace

Op lbt_flag_op(ir::FlagGroupKind k, int width) { return kRegForm[int(k)][width_index(width)]; }

Op lbt_flag_op_imm(ir::FlagGroupKind k, int width) {
  return kImmForm[int(k) - int(K::kShl)][width_index(width)];
}

}  // namespace bmbt::la64

namespace bmbt::la64::detail {

// setf under LBT: the flag's bit moves into eflags (the other flags are untouched).
void Lowering::lower_set_flag_lbt(int i) {
  const u8 f = u8(b_[i].imm);
  const u8 mask = u8(1 << f);
  Value v = b_[i].args[0];
  if (loc_[v].kind == LocKind::kConst) {
    if (cval_[v] & 1) as_.li(kScratch0, u64(1) << kEflagsBit[f]);
    as_.emit(Op::X86MTFLAG, (cval_[v] & 1) ? kScratch0 : kZero, mask);
    return;
  }
  Gpr x = reg(v, kScratch1);
  if (kEflagsBit[f] != 0) {
    as_.emit(Op::SLLI_D, kScratch0, x, kEflagsBit[f]);
    x = kScratch0;
  }
  as_.emit(Op::X86MTFLAG, x, mask);
}

// getf under LBT: the one flag's bit out of eflags, as 0/1.
void Lowering::lower_get_flag_lbt(int i) {
  if (!alloc_dest(i)) return;
  const Gpr d{loc_[i].reg};
  const u8 f = u8(b_[i].imm);
  as_.emit(Op::X86MFFLAG, d, u8(1 << f));
  if (kEflagsBit[f] != 0) as_.emit(Op::SRLI_D, d, d, kEflagsBit[f]);
}

// setx86j's condition codes (a ae b be e ne g ge l le s ns o no p np) for the x86 conditions the
// frontend builds from flags (ir: getf, or/xor of getf, xor with true for the negation).
namespace {
constexpr int kSetCondB = 2, kSetCondBe = 3, kSetCondE = 4, kSetCondL = 8, kSetCondLe = 9, kSetCondS = 10,
              kSetCondO = 12, kSetCondP = 14;
// The negation of each code: a<->be, ae<->b, e<->ne, g<->le, ge<->l, s<->ns, o<->no, p<->np.
constexpr int kNegated[16] = {3, 2, 1, 0, 5, 4, 9, 8, 7, 6, 11, 10, 13, 12, 15, 14};
}  // namespace

// The setx86j code `v` computes, or -1. `first_read` gets the earliest getf involved, `flags`
// the flags read. Inner ops must have no other use (they are not emitted).
int Lowering::match_lbt_condition(Value v, int* first_read, u8* flags, int depth) const {
  const ir::Inst& in = b_[v];
  if (in.op == IrOp::GetFlag) {
    static constexpr int kSingle[6] = {kSetCondB, kSetCondP, -1, kSetCondE, kSetCondS, kSetCondO};
    if (in.imm >= 6 || kSingle[in.imm] < 0) return -1;
    if (int(v) < *first_read) *first_read = int(v);
    *flags |= u8(1 << in.imm);
    return kSingle[in.imm];
  }
  if (depth > 2 || (in.op != IrOp::Xor && in.op != IrOp::Or) || in.type != Type::kI1) return -1;
  const ir::Inst& c = b_[in.args[1]];
  if (in.op == IrOp::Xor && c.op == IrOp::Const && (c.imm & 1)) {  // negation
    if (uses_[in.args[0]] != 1) return -1;
    int k = match_lbt_condition(in.args[0], first_read, flags, depth + 1);
    return k < 0 ? -1 : kNegated[k];
  }
  if (uses_[in.args[0]] != 1 || uses_[in.args[1]] != 1) return -1;
  const int x = match_lbt_condition(in.args[0], first_read, flags, depth + 1);
  const int y = match_lbt_condition(in.args[1], first_read, flags, depth + 1);
  if (x < 0 || y < 0) return -1;
  if (in.op == IrOp::Xor && ((x == kSetCondS && y == kSetCondO) || (x == kSetCondO && y == kSetCondS))) return kSetCondL;
  if (in.op == IrOp::Or && ((x == kSetCondB && y == kSetCondE) || (x == kSetCondE && y == kSetCondB))) return kSetCondBe;
  if (in.op == IrOp::Or && ((x == kSetCondE && y == kSetCondL) || (x == kSetCondL && y == kSetCondE))) return kSetCondLe;
  return -1;
}

// Conditions on flags that come from eflags (live into the block, not recomputed in it) become
// one setx86j instead of an x86mfflag + shift per flag and the or/xor between them. Only when no
// flag the condition reads can change between its first getf and the condition itself.
void Lowering::choose_lbt_conditions() {
  static_assert(kCondNone == -1, "lbt_cond_ is cleared bytewise");
  __builtin_memset(lbt_cond_, 0xff, usize(b_.size()));
  // The i1 getf/xor/or (found by compute_last_uses), latest first.
  for (int k = nlbt_candidates_ - 1; k >= 0; --k) {
    const int i = lbt_candidates_[k];
    const ir::Inst& in = b_[i];
    if (lbt_cond_[i] != kCondNone || last_use_[i] < 0 || Value(i) == fused_) continue;
    int first = i;
    u8 flags = 0;
    const int code = match_lbt_condition(Value(i), &first, &flags, 0);
    if (code < 0) continue;
    bool stable = true;
    for (int j = first + 1; j < i && stable; ++j) {
      const ir::Inst& w = b_[j];
      if (w.op == IrOp::FlagGroup || w.op == IrOp::Call || ((w.op == IrOp::SetFlag || w.op == IrOp::SetFlagOnFault) && ((flags >> w.imm) & 1))) stable = false;
    }
    if (!stable) continue;
    // Mark the inner ops (everything the match walked: operands of i down to the getfs).
    struct Walk {
      const ir::Block& b;
      i8* cond;
      void mark(Value v) {
        const ir::Inst& x = b[v];
        cond[v] = Lowering::kCondInner;
        if (x.op == IrOp::Xor || x.op == IrOp::Or)
          for (int k = 0; k < 2; ++k)
            if (b[x.args[k]].op != IrOp::Const) mark(x.args[k]);
      }
    } walk{b_, lbt_cond_};
    if (in.op != IrOp::GetFlag) walk.mark(Value(i));
    lbt_cond_[i] = i8(code);
  }
}

// A fused flag group: one LBT instruction sets the flags as the x86 instruction would. It may
// also write flags outside the group's mask; those are dead here (flag liveness removed their
// writes) or set to the same value the x86 instruction gives them.
void Lowering::lower_flag_group(int i) {
  const ir::Inst& in = b_[i];
  const ir::FlagGroupKind k = ir::flag_group_kind(in.imm);
  const int w = ir::bit_width(b_[in.args[0]].type);
  Gpr a = arg(i, 0);
  if (k == ir::FlagGroupKind::kInc || k == ir::FlagGroupKind::kDec) {
    as_.emit(lbt_flag_op(k, w), a);
    return;
  }
  i64 count = 0;
  if (ir::flag_group_is_shift(k) && arg_const(i, 1, &count) && count >= 0 && count < w) {
    // The immediate field holds 0..width-1; a larger (x86-masked) count takes the register form.
    as_.emit(lbt_flag_op_imm(k, w), a, count);
    return;
  }
  as_.emit(lbt_flag_op(k, w), a, arg(i, 1));
}

}  // namespace bmbt::la64::detail
