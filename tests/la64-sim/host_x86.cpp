#include "host_x86.h"

#if !defined(__x86_64__)
#error "host_x86.cpp executes x86 instructions: it builds only on the x86-64 development host"
#endif

namespace bmbt::la64sim {

namespace {

// Each stub loads RFLAGS, runs one instruction and reads RFLAGS back. The stack pointer first
// steps over the red zone: the compiler may keep data there and pushfq/popfq write below %rsp.
#define X86_PRE "lea -128(%%rsp), %%rsp\n\tpushq %[f]\n\tpopfq\n\t"
#define X86_POST "\n\tpushfq\n\tpopq %[f]\n\tlea 128(%%rsp), %%rsp"

using Stub = void (*)(uint64_t& a, uint64_t b, uint64_t& f);

// Operand-size modifiers of GCC's x86 inline assembly: b = 8, w = 16, k = 32, q = 64 bits.
#define X86_BIN(fn, insn, M)                                                                  \
  void fn(uint64_t& a, uint64_t b, uint64_t& f) {                                             \
    asm volatile(X86_PRE insn " %" M "[b], %" M "[a]" X86_POST : [a] "+r"(a), [f] "+r"(f)     \
                 : [b] "r"(b) : "cc");                                                        \
  }
#define X86_UNARY(fn, insn, M)                                                                \
  void fn(uint64_t& a, uint64_t, uint64_t& f) {                                               \
    asm volatile(X86_PRE insn " %" M "[a]" X86_POST : [a] "+r"(a), [f] "+r"(f) : : "cc");     \
  }
#define X86_SHIFT(fn, insn, M)                                                                \
  void fn(uint64_t& a, uint64_t b, uint64_t& f) {                                             \
    asm volatile(X86_PRE insn " %%cl, %" M "[a]" X86_POST : [a] "+r"(a), [f] "+r"(f)          \
                 : "c"(b) : "cc");                                                            \
  }
// One-operand multiply: (r)ax * b into (r)dx:(r)ax (8-bit: al * b into ax).
#define X86_MUL(fn, insn, M)                                                                  \
  void fn(uint64_t& a, uint64_t b, uint64_t& f) {                                             \
    uint64_t hi = 0;                                                                          \
    asm volatile(X86_PRE insn " %" M "[b]" X86_POST : "+a"(a), "+d"(hi), [f] "+r"(f)          \
                 : [b] "r"(b) : "cc");                                                        \
  }

#define X86_WIDTHS(kind, name, insn) \
  kind(name##8, insn, "b") kind(name##16, insn, "w") kind(name##32, insn, "k") kind(name##64, insn, "q")

X86_WIDTHS(X86_BIN, add, "add")
X86_WIDTHS(X86_BIN, sub, "sub")
X86_WIDTHS(X86_BIN, adc, "adc")
X86_WIDTHS(X86_BIN, sbb, "sbb")
X86_WIDTHS(X86_BIN, and_, "and")
X86_WIDTHS(X86_BIN, or_, "or")
X86_WIDTHS(X86_BIN, xor_, "xor")
X86_WIDTHS(X86_UNARY, inc, "inc")
X86_WIDTHS(X86_UNARY, dec, "dec")
X86_WIDTHS(X86_SHIFT, shl, "shl")
X86_WIDTHS(X86_SHIFT, shr, "shr")
X86_WIDTHS(X86_SHIFT, sar, "sar")
X86_WIDTHS(X86_SHIFT, rol, "rol")
X86_WIDTHS(X86_SHIFT, ror, "ror")
X86_WIDTHS(X86_SHIFT, rcl, "rcl")
X86_WIDTHS(X86_SHIFT, rcr, "rcr")
X86_WIDTHS(X86_MUL, imul, "imul")
X86_WIDTHS(X86_MUL, mul, "mul")

#define X86_ROW(name) {name##8, name##16, name##32, name##64}
// Indexed by X86Op, then by width (8, 16, 32, 64).
const Stub kStubs[int(X86Op::kCount)][4] = {
    X86_ROW(add), X86_ROW(sub), X86_ROW(adc), X86_ROW(sbb), X86_ROW(and_), X86_ROW(or_), X86_ROW(xor_),
    X86_ROW(inc), X86_ROW(dec), X86_ROW(shl), X86_ROW(shr), X86_ROW(sar), X86_ROW(rol), X86_ROW(ror),
    X86_ROW(rcl), X86_ROW(rcr), X86_ROW(imul), X86_ROW(mul)};

const char* const kNames[int(X86Op::kCount)] = {"add", "sub", "adc", "sbb", "and", "or",  "xor", "inc", "dec",
                                                "shl", "shr", "sar", "rol", "ror", "rcl", "rcr", "imul", "mul"};

constexpr uint64_t kArithFlags = 0x8d5;

}  // namespace

const char* x86_op_name(X86Op op) { return kNames[int(op)]; }

X86Result host_x86(X86Op op, int width, uint64_t a, uint64_t b, uint32_t eflags_in) {
  int wi = width == 8 ? 0 : width == 16 ? 1 : width == 32 ? 2 : 3;
  uint64_t f = 0x2 | (eflags_in & kArithFlags);  // bit 1 is always one; DF, TF, AC stay clear
  kStubs[int(op)][wi](a, b, f);
  uint64_t mask = width == 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
  return X86Result{a & mask, uint32_t(f & kArithFlags)};
}

}  // namespace bmbt::la64sim
