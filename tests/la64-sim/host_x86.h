// x86 instructions executed natively on the x86-64 host CPU, operands and RFLAGS in, result and
// RFLAGS out. The simulator's LBT instructions take their flag effects (and the results of
// adc/sbc/rcr/rotr.b/h) from here, so they are exactly as right as the real CPU.
#pragma once
#include <cstdint>

namespace bmbt::la64sim {

enum class X86Op : uint8_t {
  kAdd, kSub, kAdc, kSbb, kAnd, kOr, kXor,   // a op= b
  kInc, kDec,                                // a
  kShl, kShr, kSar, kRol, kRor, kRcl, kRcr,  // a by count b (in cl; the CPU masks it)
  kImul, kMul,                               // one-operand (r)ax * b: flags CF/OF defined
  kCount
};
const char* x86_op_name(X86Op op);

struct X86Result {
  uint64_t value;   // the destination afterwards, zero-extended from `width`
  uint32_t eflags;  // CF PF AF ZF SF OF after the instruction (x86 bit positions)
};

// width: 8, 16, 32 or 64. eflags_in: CF PF AF ZF SF OF before (other bits ignored).
X86Result host_x86(X86Op op, int width, uint64_t a, uint64_t b, uint32_t eflags_in);

}  // namespace bmbt::la64sim
