#include "ir/flag_groups.h"
#include "ir/passes/compaction.h"
#include "ir/passes/passes.h"

namespace bmbt::ir {

namespace {
// Ops whose result is their only effect (pure, or reading guest state): unused, they can go.
// Loads stay: they can fault, and a fault is observable. Read from the op table itself.
constexpr bool kRemovableIfUnused[] = {
#define IR_OP(name, text, args, result, imm, effect, flags) \
  Effect::effect == Effect::kPure || Effect::effect == Effect::kReadsState,
#include "ir/opcodes.inc"
#undef IR_OP
};
static_assert(sizeof(kRemovableIfUnused) / sizeof(kRemovableIfUnused[0]) == usize(Op::kCount), "op table");
}  // namespace

int remove_dead_values(Block& b, const bool* drop) {
  // Only the block's own entries are cleared: clearing all kMaxInsts would cost more than the scan.
  alignas(16) Mark marks[kMarkCount];
  fill_unused(marks, b.size());
  if (b.term.cond != kNoValue) marks[b.term.cond] = kUsed;
  int removed = 0, ndropped = 0;
  int first_removed = 0;
  for (int i = b.size() - 1; i >= 0; --i) {
    const Inst& in = b[i];
    const bool dropped = drop && drop[i];
    if ((marks[i] != kUsed && kRemovableIfUnused[usize(in.op)]) || dropped) {
      ndropped += dropped;
      marks[i] = kRemoved;
      ++removed;
      first_removed = i;
      continue;
    }
    marks[i] = Mark(removed);
    for (int a = 0; a < in.num_args; ++a) marks[in.args[a]] = kUsed;
  }
  if (removed) compact_marked(b, marks, first_removed, removed);
  return removed - ndropped;
}

PassStats run_default_passes(Block& b) {
  PassStats s;
  ConditionList conditions;
  const ForwardStats forward = forward_and_fold(b, true, true, &conditions);
  s.forwarded_reads = forward.forwarded_reads;
  s.folded = forward.folded;
  s.simplified_conditions = simplify_conditions(b, conditions);
  const DeadCodeStats dead = remove_dead_code(b);
  s.removed_state_writes = dead.state_writes;
  s.removed_dead_values = dead.removed - dead.state_writes;
  // Only blocks translated for the LBT flag strategy hold flag groups. remove_dead_code left no
  // unused value behind (its backward walk decides every user of a value before the value), so
  // only the formulas of the flag writes fuse_flag_groups took over can have become dead.
  if (b.has_flag_groups) {
    bool drop[Block::kMaxInsts];
    s.fused_flag_writes = fuse_flag_groups(b, drop);
    s.removed_dead_values += remove_dead_values(b, drop);
  }
  return s;
}

}  // namespace bmbt::ir
