// Per-instruction translation context shared by the instruction families: the decoded
// instruction, the IR builder, and operand/flag helpers that implement x86's rules
// (partial-register writes, 32-bit zero extension, effective addresses, flag formulas).
#pragma once
#include "frontend-x86/decoder.h"
#include "ir/builder.h"
#include "ir/guest_state.h"

namespace bmbt::x86 {

using ir::Type;
using ir::Value;

// Outcome of one instruction's translation.
enum class Emit : u8 {
  kContinue,     // fall through to the next instruction in the block
  kEndsBlock,    // the handler set the block terminator
  kUnsupported,  // this form is not implemented: the block exits with #UD semantics at this pc
};

struct Ctx {
  ir::Builder& b;
  const DecodedInsn& d;
  u64 next_pc;

  const ZydisDecodedInstruction& insn() const { return d.insn; }
  const ZydisDecodedOperand& op(int i) const { return d.ops[i]; }
  int width() const { return d.insn.operand_width; }   // operand size in bits
  Type type() const { return ir::int_type_for_bytes(width() / 8); }

  // Operands (registers, memory, immediates) as values of the operand's own width.
  Value read(int i);
  Value read_as(int i, Type t);            // immediates extended/truncated to t
  void write(int i, Value v);
  Value address(int i, bool with_segment_base = true);  // effective address of a memory operand
  u8 segment(int i) const;

  // Whole-register access by GuestReg number.
  Value reg64(u8 r) { return b.get_reg(r); }
  Value reg(u8 r, Type t) { return b.trunc(t, b.get_reg(r)); }
  void set_reg(u8 r, Value v);             // with x86 write rules for v's width (no high-byte forms)

  // Stack.
  void push(Value v64);
  Value pop();

  // Flags.
  void flags_add(Value a, Value b, Value r);
  void flags_sub(Value a, Value b, Value r);
  void flags_logic(Value r);
  void flags_szp(Value r);
  Value condition(int cc);                 // x86 condition code 0..15 (o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g)

  Value c(Type t, u64 v) { return b.constant(t, v); }
};

// Condition code of a jcc/setcc/cmovcc mnemonic, or -1.
int condition_of(ZydisMnemonic m);

using Handler = Emit (*)(Ctx&);
Handler handler_for(ZydisMnemonic m);

}  // namespace bmbt::x86
