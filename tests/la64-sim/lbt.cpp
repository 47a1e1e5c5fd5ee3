// LBT (LoongArch binary translation extension, x86 part). Each x86* instruction sets eflags
// exactly as the x86 instruction of that width would and writes no GPR; the flags come from
// running that x86 instruction on the host CPU (host_x86.cpp), not from formulas here.
//
// Assumptions where no public manual is precise (docs/la64-simulator.md lists them):
// - adc/sbc/rcr/rcri/rotr.b/h/rotri.b/h write the result of the x86 operation of that width,
//   sign-extended to 64 bits like the base ISA's .w results, and leave eflags alone;
// - register shift/rotate counts are masked as x86 masks cl (5 bits, 6 for .d);
// - x86add.wu/.du and x86sub.wu/.du, x86settag and jiscr* are not modelled (BMBT emits none).
#include "host_x86.h"
#include "sim.h"

namespace bmbt::la64sim {

using la64::Op;

namespace {

enum class Src : uint8_t { kRegK, kImm, kNone };

struct FlagOp {
  Op op;
  X86Op x86;
  int width;
  Src src;  // where the second operand comes from (rk, the immediate, or none for inc/dec)
};

#define LBT_WIDTHS(name, x86, src) \
  {Op::name##_B, X86Op::x86, 8, src}, {Op::name##_H, X86Op::x86, 16, src}, \
  {Op::name##_W, X86Op::x86, 32, src}, {Op::name##_D, X86Op::x86, 64, src}

// The flag-only instructions and the x86 instruction each one stands for.
const FlagOp kFlagOps[] = {
    LBT_WIDTHS(X86ADD, kAdd, Src::kRegK),   LBT_WIDTHS(X86SUB, kSub, Src::kRegK),
    LBT_WIDTHS(X86ADC, kAdc, Src::kRegK),   LBT_WIDTHS(X86SBC, kSbb, Src::kRegK),
    LBT_WIDTHS(X86AND, kAnd, Src::kRegK),   LBT_WIDTHS(X86OR, kOr, Src::kRegK),
    LBT_WIDTHS(X86XOR, kXor, Src::kRegK),   LBT_WIDTHS(X86INC, kInc, Src::kNone),
    LBT_WIDTHS(X86DEC, kDec, Src::kNone),   LBT_WIDTHS(X86SLL, kShl, Src::kRegK),
    LBT_WIDTHS(X86SRL, kShr, Src::kRegK),   LBT_WIDTHS(X86SRA, kSar, Src::kRegK),
    LBT_WIDTHS(X86ROTL, kRol, Src::kRegK),  LBT_WIDTHS(X86ROTR, kRor, Src::kRegK),
    LBT_WIDTHS(X86RCL, kRcl, Src::kRegK),   LBT_WIDTHS(X86RCR, kRcr, Src::kRegK),
    LBT_WIDTHS(X86MUL, kImul, Src::kRegK),
    {Op::X86MUL_BU, X86Op::kMul, 8, Src::kRegK}, {Op::X86MUL_HU, X86Op::kMul, 16, Src::kRegK},
    {Op::X86MUL_WU, X86Op::kMul, 32, Src::kRegK}, {Op::X86MUL_DU, X86Op::kMul, 64, Src::kRegK},
    LBT_WIDTHS(X86SLLI, kShl, Src::kImm),   LBT_WIDTHS(X86SRLI, kShr, Src::kImm),
    LBT_WIDTHS(X86SRAI, kSar, Src::kImm),   LBT_WIDTHS(X86ROTLI, kRol, Src::kImm),
    LBT_WIDTHS(X86ROTRI, kRor, Src::kImm),  LBT_WIDTHS(X86RCLI, kRcl, Src::kImm),
    LBT_WIDTHS(X86RCRI, kRcr, Src::kImm),
};

// Base-format instructions that compute a result with x86 semantics (rd, rj, rk-or-immediate).
const FlagOp kResultOps[] = {
    {Op::ADC_B, X86Op::kAdc, 8, Src::kRegK},   {Op::ADC_H, X86Op::kAdc, 16, Src::kRegK},
    {Op::ADC_W, X86Op::kAdc, 32, Src::kRegK},  {Op::ADC_D, X86Op::kAdc, 64, Src::kRegK},
    {Op::SBC_B, X86Op::kSbb, 8, Src::kRegK},   {Op::SBC_H, X86Op::kSbb, 16, Src::kRegK},
    {Op::SBC_W, X86Op::kSbb, 32, Src::kRegK},  {Op::SBC_D, X86Op::kSbb, 64, Src::kRegK},
    {Op::RCR_B, X86Op::kRcr, 8, Src::kRegK},   {Op::RCR_H, X86Op::kRcr, 16, Src::kRegK},
    {Op::RCR_W, X86Op::kRcr, 32, Src::kRegK},  {Op::RCR_D, X86Op::kRcr, 64, Src::kRegK},
    {Op::RCRI_B, X86Op::kRcr, 8, Src::kImm},   {Op::RCRI_H, X86Op::kRcr, 16, Src::kImm},
    {Op::RCRI_W, X86Op::kRcr, 32, Src::kImm},  {Op::RCRI_D, X86Op::kRcr, 64, Src::kImm},
    {Op::ROTR_B, X86Op::kRor, 8, Src::kRegK},  {Op::ROTR_H, X86Op::kRor, 16, Src::kRegK},
    {Op::ROTRI_B, X86Op::kRor, 8, Src::kImm},  {Op::ROTRI_H, X86Op::kRor, 16, Src::kImm},
};

const FlagOp* find(const FlagOp* table, size_t n, Op op) {
  for (size_t i = 0; i < n; ++i)
    if (table[i].op == op) return &table[i];
  return nullptr;
}

uint64_t sign_extend(uint64_t x, int bits) {
  if (bits >= 64) return x;
  uint64_t m = uint64_t(1) << (bits - 1);
  return ((x & ((uint64_t(1) << bits) - 1)) ^ m) - m;
}

// x86mfflag / x86mtflag mask bit i selects flag kMaskFlags[i].
constexpr uint32_t kMaskFlags[6] = {kEflCF, kEflPF, kEflAF, kEflZF, kEflSF, kEflOF};
uint32_t mask_to_flags(int64_t mask) {
  uint32_t f = 0;
  for (int i = 0; i < 6; ++i)
    if (mask & (1 << i)) f |= kMaskFlags[i];
  return f;
}

// setx86j conditions in x86 condition-code order after the first two (a, ae, b, be, e, ne, g,
// ge, l, le, s, ns, o, no, p, np).
bool condition(int cond, uint32_t f) {
  bool cf = f & kEflCF, zf = f & kEflZF, sf = f & kEflSF, of = f & kEflOF, pf = f & kEflPF;
  switch (cond & 15) {
    case 0: return !cf && !zf;
    case 1: return !cf;
    case 2: return cf;
    case 3: return cf || zf;
    case 4: return zf;
    case 5: return !zf;
    case 6: return !zf && sf == of;
    case 7: return sf == of;
    case 8: return sf != of;
    case 9: return zf || sf != of;
    case 10: return sf;
    case 11: return !sf;
    case 12: return of;
    case 13: return !of;
    case 14: return pf;
    default: return !pf;
  }
}

}  // namespace

bool lbt_condition(int cond, uint32_t eflags) { return condition(cond, eflags); }

Stop Simulator::exec_lbt(const la64::Decoded& d, uint32_t word, bool* handled) {
  *handled = true;
  constexpr size_t kFlagCount = sizeof(kFlagOps) / sizeof(kFlagOps[0]);
  constexpr size_t kResultCount = sizeof(kResultOps) / sizeof(kResultOps[0]);
  if (const FlagOp* f = find(kFlagOps, kFlagCount, d.op)) {
    uint64_t b = f->src == Src::kRegK ? r(d, 1) : f->src == Src::kImm ? uint64_t(imm(d, 1)) : 0;
    s.eflags = host_x86(f->x86, f->width, r(d, 0), b, s.eflags).eflags;
  } else if (const FlagOp* f = find(kResultOps, kResultCount, d.op)) {
    uint64_t b = f->src == Src::kRegK ? r(d, 2) : uint64_t(imm(d, 2));
    w(d, 0, sign_extend(host_x86(f->x86, f->width, r(d, 1), b, s.eflags).value, f->width));
  } else {
    switch (d.op) {
      case Op::X86MFFLAG: w(d, 0, s.eflags & mask_to_flags(imm(d, 1))); break;
      case Op::X86MTFLAG: {
        uint32_t m = mask_to_flags(imm(d, 1));
        s.eflags = (s.eflags & ~m) | (uint32_t(r(d, 0)) & m);
        break;
      }
      case Op::SETX86J: w(d, 0, condition(int(imm(d, 1)), s.eflags)); break;
      case Op::SETX86LOOPE: w(d, 0, r(d, 1) != 0 && (s.eflags & kEflZF)); break;
      case Op::SETX86LOOPNE: w(d, 0, r(d, 1) != 0 && !(s.eflags & kEflZF)); break;
      case Op::MOVGR2SCR: s.scr[d.ops[0].value & 3] = r(d, 1); break;
      case Op::MOVSCR2GR: w(d, 0, s.scr[d.ops[1].value & 3]); break;
      case Op::X86MTTOP: s.ftop = uint32_t(imm(d, 0)) & 7; break;
      case Op::X86MFTOP: w(d, 0, s.ftop); break;
      case Op::X86INCTOP: s.ftop = (s.ftop + 1) & 7; break;
      case Op::X86DECTOP: s.ftop = (s.ftop - 1) & 7; break;
      default: *handled = false; return Stop::kRunning;
    }
  }
  (void)word;
  return Stop::kRunning;  // exec() advances the pc
}

}  // namespace bmbt::la64sim
