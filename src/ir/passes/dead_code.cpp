#include "ir/flag_groups.h"
#include "ir/guest_state.h"
#include "ir/passes/compaction.h"
#include "ir/passes/op_tables.h"
#include "ir/passes/passes.h"

namespace bmbt::ir {

namespace {
static_assert(kGuestRegCount <= 32, "one bit per guest register");

// What follows the current point, walking backwards, as FlagBit masks: a later write with
// nothing in between at all (overwritten), a later write with nothing but possibly-faulting
// accesses in between (overwritten_after_fault), or else a read (or an exit that reports state).
// Masks rather than per-flag states: a fault point or a helper call updates every flag at once.
struct FlagFuture {
  u8 overwritten = 0;
  u8 overwritten_after_fault = 0;
  void read(u8 mask) {
    overwritten &= u8(~mask);
    overwritten_after_fault &= u8(~mask);
  }
};

// Everything the backward walk carries from one instruction to the one before.
struct Liveness {
  FlagFuture flags;
  u32 reg_overwritten = 0;  // bit r: a later write of guest register r covers this point
  u8 group_reads = 0;       // flags the flag groups of the current guest instruction read
  bool fault_only_writes = false;
  int state_writes = 0;     // state writes removed
};

// Whether instruction `in` of op kOp stays (mark: whether its value is used), updating what
// the walk knows about later reads and writes of guest state.
template <Op kOp>
__attribute__((always_inline)) inline bool stays(const Block& b, Inst& in, Mark mark, Liveness& l) {
  constexpr Effect effect = kOpEffect[usize(kOp)];
  if constexpr (effect == Effect::kPure) {
    return mark == kUsed;
  } else if constexpr (effect == Effect::kReadsState) {
    if (mark != kUsed) return false;  // an unused read observes nothing
    if constexpr (kOp == Op::GetFlag) l.flags.read(u8(1u << in.imm));
    else l.reg_overwritten &= ~(1u << in.imm);
    return true;
  } else if constexpr (effect == Effect::kWritesState) {
    bool keep;
    if constexpr (kOp == Op::SetFlag || kOp == Op::SetFlagOnFault) {
      const u8 bit = u8(1u << in.imm);
      keep = !(l.flags.overwritten & bit);
      if (keep) in.op = (l.flags.overwritten_after_fault & bit) && l.fault_only_writes ? Op::SetFlagOnFault : Op::SetFlag;
      l.flags.overwritten |= bit;
      l.flags.overwritten_after_fault &= u8(~bit);
    } else {
      const u32 bit = 1u << in.imm;
      keep = !(l.reg_overwritten & bit);
      l.reg_overwritten |= bit;
    }
    if (!keep) ++l.state_writes;
    return keep;
  } else if constexpr (effect == Effect::kMarker) {
    // A flag group reads the flags as they were before its instruction: the instruction's
    // own flag writes sit between its start and the group, so the reads take effect at the
    // start (walking backwards).
    if constexpr (kOp == Op::FlagGroup) l.group_reads |= flag_group_reads(b, in);
    if constexpr (kOp == Op::InsnStart) {
      if (l.group_reads) {
        l.flags.read(l.group_reads & (kFlagDF - 1));
        l.group_reads = 0;
      }
    }
    return true;
  } else if constexpr (effect == Effect::kReadsMemory || effect == Effect::kWritesMemory) {
    // A possible fault: it must see exact state, but only a fault can observe it. (Loads
    // stay even if unused: the fault is observable.)
    l.flags.overwritten_after_fault |= l.flags.overwritten;
    l.flags.overwritten = 0;
    l.reg_overwritten = 0;
    return true;
  } else {
    static_assert(effect == Effect::kCall, "every effect handled");
    l.flags.read(0xff);
    l.reg_overwritten = 0;
    return true;
  }
}

// Marks the operands of a kept instruction of op kOp as used: a fixed sequence of stores (a
// Call's count varies: checked).
template <Op kOp>
__attribute__((always_inline)) inline void mark_args_used(const Inst& in, Mark* marks) {
  if constexpr (kOp == Op::Call) {
    const int n = in.num_args;
    if (n > 0) marks[in.args[0]] = kUsed;
    if (n > 1) marks[in.args[1]] = kUsed;
    if (n > 2) marks[in.args[2]] = kUsed;
  } else {
    constexpr int n = kOpArgCount[usize(kOp)];
    if constexpr (n > 0) marks[in.args[0]] = kUsed;
    if constexpr (n > 1) marks[in.args[1]] = kUsed;
    if constexpr (n > 2) marks[in.args[2]] = kUsed;
  }
}

struct Walked {
  int removed = 0;        // instructions removed
  int first_removed = 0;  // the first of them
};

// Decides every instruction, last to first, each with the code of its op, and marks it: kRemoved
// or the number removed after it. Dispatch through a table of label addresses: one load and one
// jump per instruction (a switch adds a range check and a relative offset).
Walked walk_back(Block& b, Mark* marks, Liveness& liveness) {
  static const void* const kCase[] = {
#define IR_OP(name, text, args, result, imm, effect, flags) &&case_##name,
#include "ir/opcodes.inc"
#undef IR_OP
  };
  static_assert(sizeof(kCase) / sizeof(kCase[0]) == usize(Op::kCount), "op table");
  Liveness l = liveness;  // a local copy, kept in registers (a function with a computed goto is never inlined)
  Walked walked;
  if (b.size() == 0) return walked;
  // Pointers rather than an index: the walk touches nothing but the instruction and its mark.
  Inst* in = &b[b.size() - 1];
  Mark* mark = marks + b.size() - 1;
  Mark* first_removed = nullptr;
  int removed = 0;
  goto *kCase[usize(in->op)];
#define IR_OP(name, text, args, result, imm, effect, flags) \
  case_##name:                                             \
    if (stays<Op::name>(b, *in, *mark, l)) {               \
      mark_args_used<Op::name>(*in, marks);                 \
      goto kept;                                           \
    }                                                      \
    goto removed;
#include "ir/opcodes.inc"
#undef IR_OP
removed:
  *mark = kRemoved;
  ++removed;
  first_removed = mark;
  if (mark == marks) goto done;
  --mark;
  --in;
  goto *kCase[usize(in->op)];
kept:
  *mark = Mark(removed);
  if (mark == marks) goto done;
  --mark;
  --in;
  goto *kCase[usize(in->op)];
done:
  liveness = l;
  walked.removed = removed;
  if (first_removed) walked.first_removed = int(first_removed - marks);
  return walked;
}

}  // namespace

// One backward walk for both kinds of dead code, so that they feed each other: a state write
// no later read needs is dropped, which leaves its value (a flag formula) unused, which is then
// dropped when the walk reaches it; an unused read of guest state (the old flags a dead shift
// by cl would have kept) observes nothing, so it does not keep earlier writes alive either.
// Per flag and per register it tracks whether a later write covers the current point with no
// intervening read or possible exit. A flag write covered except for possible faults becomes
// setf.onfault (software strategy: blocks without flag groups). The same walk counts what it
// removes after each instruction, so that the compaction renumbers without a table of its own.
DeadCodeStats remove_dead_code(Block& b) {
  Liveness l;
  l.fault_only_writes = !b.has_flag_groups;
  // Flags the code after the block does not read count as overwritten at its end, unless the
  // block leaves through an exit (the engine reports exact state there).
  if (b.term.kind != TermKind::kExit) l.flags.overwritten = u8(~b.live_out_flags & (kFlagDF - 1));
  alignas(16) Mark marks[kMarkCount];
  fill_unused(marks, b.size());  // only the block's own entries: all of them would cost more than the walk
  if (b.term.cond != kNoValue) marks[b.term.cond] = kUsed;
  const Walked walked = walk_back(b, marks, l);
  DeadCodeStats stats;
  stats.removed = walked.removed;
  stats.state_writes = l.state_writes;
  if (walked.removed) compact_marked(b, marks, walked.first_removed, walked.removed);
  return stats;
}

}  // namespace bmbt::ir
