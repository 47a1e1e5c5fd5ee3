// The SSA IR: one translation unit is a Block of instructions in a fixed-capacity array (no heap
// allocation while translating) ending in a typed terminator. An instruction's index is its value.
#pragma once
#include "ir/types.h"

namespace bmbt::ir {

enum class Op : u8 {
#define IR_OP(name, text, args, result, imm, effect, flags) name,
#include "ir/opcodes.inc"
#undef IR_OP
  kCount
};

enum class ResultRule : u8 { kVoid, kSameAsArg0, kBool, kExplicit };
enum class ImmKind : u8 { kNoImm, kConstant, kGuestReg, kFlag, kSegment, kHelper, kGuestPc, kFlagGroup };
enum class Effect : u8 { kPure, kReadsState, kWritesState, kReadsMemory, kWritesMemory, kCall, kMarker };

struct OpInfo {
  const char* name;
  u8 num_args;
  ResultRule result;
  ImmKind imm;
  Effect effect;
  u8 flags_written;
};
const OpInfo& op_info(Op op);
inline const char* op_name(Op op) { return op_info(op).name; }

using Value = u16;  // index of the defining instruction
constexpr Value kNoValue = 0xffff;

struct Inst {
  Op op;
  Type type;          // result type (kVoid when the op produces nothing)
  u8 num_args;
  Value args[3];
  u64 imm;
};

// Why a block hands control back to the engine instead of continuing at a known guest PC.
enum class ExitReason : u8 {
  kHalt,            // hlt: the vCPU waits for an interrupt
  kUndefined,       // an instruction BMBT does not implement (or #UD): guest PC = the instruction
  kDecodeError,     // bytes that do not decode as an x86 instruction
  kFetchFault,      // instruction bytes could not be fetched
  kDivideError,     // #DE: div/idiv by zero or quotient overflow; guest PC = the instruction, nothing committed
  kGeneralProtection,  // #GP(0) raised by an instruction's own check (misaligned cmpxchg16b); nothing committed
};
// A helper (RaiseIf, Div128, RepString on a fault) that must end the run sets Vcpu::exit_reason to
// reason | kExitPending (or records Vcpu::fault) and the block then continues to the faulting
// instruction's pc: the engine checks both after every block (see docs/x86-semantics.md).
constexpr u32 kExitPending = 0x100;
const char* exit_reason_name(ExitReason r);

enum class TermKind : u8 { kNone, kJump, kBranch, kJumpIndirect, kExit };
struct Terminator {
  TermKind kind = TermKind::kNone;
  Value cond = kNoValue;      // kBranch: i1 condition; kJumpIndirect: i64 target
  u64 target = 0;             // kJump / kBranch taken / kExit: guest PC stored in RIP
  u64 fallthrough = 0;        // kBranch not taken
  ExitReason reason = ExitReason::kHalt;
  // Hints for return-address prediction (they do not change what the block does): a call
  // (kJump or kJumpIndirect) records the return address it pushed, a ret (kJumpIndirect) says so.
  u64 return_pc = 0;
  bool is_return = false;
};

class Block {
 public:
  static constexpr int kMaxInsts = 4000;

  u64 guest_pc = 0;           // first guest instruction
  u32 guest_bytes = 0;        // bytes of guest code covered
  u32 guest_insns = 0;        // guest instructions covered
  // Arithmetic flags (FlagBit mask) that code after this block may read before writing them;
  // the frontend's look-ahead narrows it, passes treat the others as dead at the block end.
  u8 live_out_flags = kArithFlags;
  bool live_out_flags_known = false;  // set by the frontend when it already ran the look-ahead
  bool has_flag_groups = false;  // translated for the LBT flag strategy (ir/flag_groups.h)
  Terminator term;

  void reset(u64 pc) {
    guest_pc = pc;
    guest_bytes = 0;
    guest_insns = 0;
    live_out_flags = kArithFlags;
    live_out_flags_known = false;
    has_flag_groups = false;
    term = Terminator{};
    count_ = 0;
  }
  int size() const { return count_; }
  bool full(int reserve = 0) const { return count_ + reserve >= kMaxInsts; }
  Inst& operator[](int i) { return insts_[i]; }
  const Inst& operator[](int i) const { return insts_[i]; }
  // Appends an instruction; returns kNoValue when the block is full (callers check full() first).
  // Inline: it runs for every IR instruction the frontend emits.
  Value append(const Inst& inst) {
    if (count_ >= kMaxInsts) return kNoValue;
    insts_[count_] = inst;
    return Value(count_++);
  }
  // Drops every instruction from index n on (used to undo a partially translated instruction).
  void truncate(int n) { if (n < count_) count_ = n; }

 private:
  Inst insts_[kMaxInsts];
  int count_ = 0;
};

}  // namespace bmbt::ir
