// IR passes. Each is a small function over one Block; they run in the order of run_default_passes.
#pragma once
#include "ir/ir.h"

namespace bmbt::ir {

struct PassStats {
  int forwarded_reads = 0;
  int folded = 0;
  int simplified_conditions = 0;
  int removed_state_writes = 0;
  int removed_dead_values = 0;
  int fused_flag_writes = 0;  // flag writes taken over by LBT flag groups (flag_groups.h)
};

// Redundant guest-state reads: a get after a set (or an earlier get) of the same register or
// flag uses the known value instead (no intervening helper call, which may change state).
int forward_state(Block& b);
// Constant and copy propagation (see fold_constants.cpp).
int fold_constants(Block& b);
// The instructions compare fusion may rewrite (eq, ne, xor and or), in block order.
struct ConditionList {
  Value at[Block::kMaxInsts];
  int count = 0;
};
// Either or both of the two above in one forward walk (run_default_passes runs both): the same
// block as forward_state followed by fold_constants, for half the walking and renaming. Lists
// the instructions simplify_conditions may rewrite in `conditions` if given.
struct ForwardStats {
  int forwarded_reads = 0;
  int folded = 0;
};
ForwardStats forward_and_fold(Block& b, bool forward, bool fold, ConditionList* conditions = nullptr);
// Compare fusion: rewrites the flag formulas of cmp/sub + condition into one comparison.
int simplify_conditions(Block& b);
// The same, looking only at the listed instructions: the block's other instructions must not be
// eq, ne, xor or or (the list from forward_and_fold, which only turns instructions into constants).
int simplify_conditions(Block& b, const ConditionList& conditions);

// Dead code, in one backward walk: (1) flag liveness and redundant guest-state writes: a set of
// a flag or register that is overwritten later in the block, with no read of it and no op that
// may leave the block in between (memory access, helper call: either can fault and must see
// exact state), is removed; so is a flag write that is dead at the block end
// (Block::live_out_flags) with no such op after it. A flag write that only possibly-faulting
// memory accesses could observe becomes setf.onfault (the JIT stores it on its miss paths
// only); not in blocks with LBT flag groups. (2) Pure instructions and guest-state reads whose
// value nobody uses (among them the flag formulas of the writes removed by (1)).
struct DeadCodeStats {
  int removed = 0;       // instructions removed
  int state_writes = 0;  // of which state writes
};
DeadCodeStats remove_dead_code(Block& b);
// (2) alone: after fuse_flag_groups, which leaves the formulas of the flag writes it took over.
// `drop` (optional): instructions to remove as well (fuse_flag_groups's marks); neither they nor
// their operands count as used. Returns the instructions removed besides those.
int remove_dead_values(Block& b, const bool* drop = nullptr);

PassStats run_default_passes(Block& b);

}  // namespace bmbt::ir
