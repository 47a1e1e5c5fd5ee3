#include "ir/flag_groups.h"
#include "ir/guest_state.h"
#include "ir/passes/passes.h"

namespace bmbt::ir {

namespace {
constexpr Effect kEffect[] = {
#define IR_OP(name, text, args, result, imm, effect, flags) Effect::effect,
#include "ir/opcodes.inc"
#undef IR_OP
};
static_assert(sizeof(kEffect) / sizeof(kEffect[0]) == usize(Op::kCount), "op table");
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

// Unrolled (at most three operands): this runs for nearly every instruction of a block.
void mark_args_used(const Inst& in, bool* used) {
  const int n = in.num_args;
  if (n == 0) return;
  used[in.args[0]] = true;
  if (n == 1) return;
  used[in.args[1]] = true;
  if (n == 2) return;
  used[in.args[2]] = true;
}
}  // namespace

// One backward walk for both kinds of dead code, so that they feed each other: a state write
// no later read needs is dropped, which leaves its value (a flag formula) unused, which is then
// dropped when the walk reaches it; an unused read of guest state (the old flags a dead shift
// by cl would have kept) observes nothing, so it does not keep earlier writes alive either.
// Per flag and per register it tracks whether a later write covers the current point with no
// intervening read or possible exit. A flag write covered except for possible faults becomes
// setf.onfault (software strategy: blocks without flag groups).
DeadCodeStats remove_dead_code(Block& b) {
  DeadCodeStats stats;
  FlagFuture flags;
  u32 reg_overwritten = 0;  // bit r: a later write of guest register r covers this point
  const bool fault_only_writes = !b.has_flag_groups;
  // Flags the code after the block does not read count as overwritten at its end, unless the
  // block leaves through an exit (the engine reports exact state there).
  if (b.term.kind != TermKind::kExit) flags.overwritten = u8(~b.live_out_flags & (kFlagDF - 1));
  // used[i]: a later instruction (or the terminator) needs value i; once the walk has passed i,
  // whether i stays.
  bool used[Block::kMaxInsts];
  for (int i = 0; i < b.size(); ++i) used[i] = false;
  if (b.term.cond != kNoValue) used[b.term.cond] = true;
  u8 group_reads = 0;
  for (int i = b.size() - 1; i >= 0; --i) {
    Inst& in = b[i];
    bool keep = true;
    switch (kEffect[usize(in.op)]) {
      case Effect::kPure:
        keep = used[i];
        break;
      case Effect::kReadsState:
        keep = used[i];  // an unused read observes nothing
        if (!keep) break;
        if (in.op == Op::GetFlag) flags.read(u8(1u << in.imm));
        else reg_overwritten &= ~(1u << in.imm);
        break;
      case Effect::kWritesState:
        if (in.op == Op::SetFlag || in.op == Op::SetFlagOnFault) {
          const u8 bit = u8(1u << in.imm);
          keep = !(flags.overwritten & bit);
          if (keep) in.op = (flags.overwritten_after_fault & bit) && fault_only_writes ? Op::SetFlagOnFault : Op::SetFlag;
          flags.overwritten |= bit;
          flags.overwritten_after_fault &= u8(~bit);
        } else {
          const u32 bit = 1u << in.imm;
          keep = !(reg_overwritten & bit);
          reg_overwritten |= bit;
        }
        if (!keep) ++stats.state_writes;
        break;
      case Effect::kMarker:
        // A flag group reads the flags as they were before its instruction: the instruction's
        // own flag writes sit between its start and the group, so the reads take effect at the
        // start (walking backwards).
        if (in.op == Op::FlagGroup) group_reads |= flag_group_reads(b, in);
        if (in.op == Op::InsnStart && group_reads) {
          flags.read(group_reads & (kFlagDF - 1));
          group_reads = 0;
        }
        break;
      case Effect::kReadsMemory:
      case Effect::kWritesMemory:
        // A possible fault: it must see exact state, but only a fault can observe it. (Loads
        // stay even if unused: the fault is observable.)
        flags.overwritten_after_fault |= flags.overwritten;
        flags.overwritten = 0;
        reg_overwritten = 0;
        break;
      case Effect::kCall:
        flags.read(0xff);
        reg_overwritten = 0;
        break;
      default: __builtin_unreachable();  // kEffect holds only the cases above: no range check
    }
    used[i] = keep;
    if (!keep) { ++stats.removed; continue; }
    mark_args_used(in, used);
  }
  if (stats.removed) b.compact(used);
  return stats;
}

}  // namespace bmbt::ir
