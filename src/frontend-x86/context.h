// Per-instruction translation context shared by the instruction families: the decoded
// instruction, the IR builder, and operand/flag helpers that implement x86's rules
// (partial-register writes, 32-bit zero extension, effective addresses, flag formulas).
#pragma once
#include "frontend-x86/decoder.h"
#include "ir/builder.h"
#include "ir/flag_groups.h"
#include "ir/guest_state.h"

namespace bmbt::x86 {

using ir::kArithFlags;

using ir::Type;
using ir::Value;

// Outcome of one instruction's translation.
enum class Emit : u8 {
  kContinue,     // fall through to the next instruction in the block
  kEndsBlock,    // the handler set the block terminator
  kUnsupported,  // this form is not implemented: the block exits with #UD semantics at this pc
};

// Guest registers and flags whose current value the block already holds, from an earlier read or
// write in the block: a later read uses that value instead of emitting another get. This is the
// IR pass forward_state's rule (fold_constants.cpp), applied while the IR is built so that the
// reads it would delete are never emitted; a helper call, which may read and change any guest
// state, forgets everything. Lives as long as one translation attempt of a block.
struct KnownState {
  u32 regs = 0;     // bit per GuestReg: reg[] holds its value
  u8 flags = 0;     // bit per ir::Flag: flag[] holds its value
  u32 calls = 0;    // Builder::calls_emitted() when the values above were valid
  Value reg[kGuestRegCount];
  Value flag[ir::kFlagCount];
  // Forgets everything if a helper call was emitted since the last look.
  void sync(const ir::Builder& b) {
    if (b.calls_emitted() == calls) return;
    calls = b.calls_emitted();
    regs = 0;
    flags = 0;
  }
};

struct Ctx {
  // A constructor rather than aggregate initialisation: `writes` is filled as used, never cleared.
  Ctx(ir::Builder& builder, KnownState& state, const DecodedInsn& insn, u64 next, bool groups, u8 live)
      : b(builder), known(state), d(insn), next_pc(next), flag_groups(groups), live_flags(live) {}

  ir::Builder& b;
  KnownState& known;  // values of guest state the block holds (reads are forwarded from it)
  const DecodedInsn& d;
  u64 next_pc;
  bool flag_groups;  // LBT flag strategy: mark flag formulas that one LBT instruction can replace
  // ir::FlagBit mask of the arithmetic flags anything after this instruction may read
  // (flag_plan.h); the others need not be computed. DF is always written.
  u8 live_flags = kArithFlags;
  bool live(u8 f) const { return (live_flags >> f) & 1; }

  const ZydisDecodedInstruction& insn() const { return d.insn; }
  const ZydisDecodedOperand& op(int i) const { return d.ops[i]; }
  int width() const { return d.insn.operand_width; }   // operand size in bits
  Type type() const { return ir::int_type_for_bytes(width() / 8); }

  // Operands (registers, memory, immediates) as values of the operand's own width.
  Value read(int i);
  Value read_as(int i, Type t);            // immediates extended/truncated to t
  void write(int i, Value v);
  // Writes register operand i with v unless `keep` (i1) holds, in which case the whole 64-bit
  // register stays as it was (no zero extension of a 32-bit destination).
  void write_unless(int i, Value keep, Value v);
  Value address(int i, bool with_segment_base = true);  // effective address of a memory operand
  u8 segment(int i) const;

  // Whole-register access by GuestReg number. A register written earlier by the same guest
  // instruction reads back as the written value (the set itself is appended after the
  // instruction's memory accesses by the translator, so a fresh get would see the old value);
  // one read or written by an earlier instruction of the block, as that value (KnownState).
  Value reg64(u8 r);
  Value reg(u8 r, Type t) { return b.trunc(t, reg64(r)); }
  // True if reg64(r) is a value no IR pass can turn into a constant (a guest state read or a load).
  bool never_constant(u8 r);
  bool is_state_or_load(Value v) const {
    const ir::Op op = b.block()[v].op;
    return op == ir::Op::GetReg || op == ir::Op::Load;
  }
  void put64(u8 r, Value v);               // whole-register write
  void set_reg(u8 r, Value v);             // with x86 write rules for v's width (no high-byte forms)
  // Same for flags: a flag set earlier in this instruction (or the block) reads back as the set value.
  Value flag(u8 f);
  void set_flag(u8 f, Value v);
  // A register used as a string/loop pointer or counter at the instruction's address size.
  Value addr_reg(u8 r);
  void set_addr_reg(u8 r, Value v64);      // writes the low 32 bits (zero-extended) under 0x67

  // Stack.
  void push(Value v);                      // pushes v at its own width (i16 or i64)
  Value pop(Type t);                       // pops a value of type t (i16 or i64)

  // Flags.
  void flags_add(Value a, Value b, Value r);
  void flags_sub(Value a, Value b, Value r);
  void flags_logic(Value r);
  void flags_logic(ir::FlagGroupKind kind, Value a, Value b, Value r);  // and its flag group
  void flags_szp(Value r);
  // Under the LBT strategy, records that the flags in `mask` just written are those of x86
  // instruction `kind` on (a, bv) (ir/flag_groups.h); nothing under the software strategy.
  void flag_group(ir::FlagGroupKind kind, u8 mask, Value a, Value bv) {
    if (flag_groups) record_write(StateWrite::kGroup, u8(kind), mask, a, bv);
  }
  Value condition(int cc);                 // x86 condition code 0..15 (o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g)

  Value c(Type t, u64 v) { return b.constant(t, v); }
  // A one-operand op of the operand's type (clz ctz popcnt bswap). ir::Builder has no public
  // unary emitter yet; the per-instruction IR reserve guarantees room in the block.
  Value unary(ir::Op op, Value a) {
    ir::Inst in{};
    in.op = op;
    in.type = b.type_of(a);
    in.num_args = 1;
    in.args[0] = a;
    in.args[1] = in.args[2] = ir::kNoValue;
    Value v = b.block().append(in);
    return v == ir::kNoValue ? a : v;
  }

  // Precise state rule (translator.cpp): every memory access and helper call of a guest
  // instruction comes before its guest-state writes. Handlers may write state anywhere; the
  // writes (SetReg, SetFlag, FlagGroup) are recorded here, in order, and appended by
  // flush_state_writes() after everything else the instruction emitted.
  struct StateWrite {
    enum Kind : u8 { kReg, kFlag, kGroup };
    Kind kind;
    u8 what;      // register, flag, or flag group kind
    u8 mask;      // flag group: the flags it stands for
    Value v, v2;  // the value written (flag group: its two operands)
  };
  static constexpr int kMaxStateWrites = 48;  // far above any instruction's (cpuid: 4, popf: 7)
  void record_write(StateWrite::Kind kind, u8 what, u8 mask, Value v, Value v2 = 0) {
    if (nwrites == 0) calls_at_first_write = b.calls_emitted();
    if (nwrites < kMaxStateWrites) writes[nwrites] = StateWrite{kind, what, mask, v, v2};
    ++nwrites;
  }
  // Appends the recorded writes. False (an internal error) if there were too many, or if a
  // helper call was emitted after the first write: the helper would see the state before it.
  bool flush_state_writes();

  StateWrite writes[kMaxStateWrites];
  int nwrites = 0;
  u32 calls_at_first_write = 0;            // helper calls emitted before the first write
  u32 written_regs = 0;                    // bit per GuestReg written by this instruction
  u8 written_flags = 0;                    // bit per ir::Flag
  // The value arrays below are read only where their mask bit (written_regs, address_known,
  // written_flags) is set, so they are left uninitialised: a Ctx is made per guest instruction.
  Value reg_value[kGuestRegCount];
  // Effective addresses are computed once per operand, from the state before the instruction
  // (`xadd [r9], r9` writes r9 before the store). pop's destination is the exception: it is first
  // computed after the pop, with the incremented rsp, as the SDM specifies.
  u8 address_known = 0;
  Value address_value[4];
  Value flag_value[ir::kFlagCount];
};

// A general-purpose register of any width (AL..R15B, AX..R15W, EAX..R15D, RAX..R15 are one run
// of ZydisRegister; operands.cpp pins that layout): one comparison instead of Zydis's class table.
inline bool is_gpr(ZydisRegister r) {
  return unsigned(r) - unsigned(ZYDIS_REGISTER_AL) <= unsigned(ZYDIS_REGISTER_R15 - ZYDIS_REGISTER_AL);
}

// Condition code of a jcc/setcc/cmovcc mnemonic, or -1. Constexpr: the flag plan builds its
// per-mnemonic table from it at compile time.
constexpr int condition_of(ZydisMnemonic m) {
  switch (m) {
#define CC(n, j, set, cmov) case ZYDIS_MNEMONIC_##j: case ZYDIS_MNEMONIC_##set: case ZYDIS_MNEMONIC_##cmov: return n;
    CC(0, JO, SETO, CMOVO) CC(1, JNO, SETNO, CMOVNO) CC(2, JB, SETB, CMOVB) CC(3, JNB, SETNB, CMOVNB)
    CC(4, JZ, SETZ, CMOVZ) CC(5, JNZ, SETNZ, CMOVNZ) CC(6, JBE, SETBE, CMOVBE) CC(7, JNBE, SETNBE, CMOVNBE)
    CC(8, JS, SETS, CMOVS) CC(9, JNS, SETNS, CMOVNS) CC(10, JP, SETP, CMOVP) CC(11, JNP, SETNP, CMOVNP)
    CC(12, JL, SETL, CMOVL) CC(13, JNL, SETNL, CMOVNL) CC(14, JLE, SETLE, CMOVLE) CC(15, JNLE, SETNLE, CMOVNLE)
#undef CC
    default: return -1;
  }
}

using Handler = Emit (*)(Ctx&);
Handler handler_for(ZydisMnemonic m);

}  // namespace bmbt::x86
