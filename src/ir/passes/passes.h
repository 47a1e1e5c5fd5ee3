// IR passes. Each is a small function over one Block; they run in the order of run_default_passes.
#pragma once
#include "ir/ir.h"

namespace bmbt::ir {

struct PassStats {
  int removed_state_writes = 0;
  int removed_dead_values = 0;
};

// Flag liveness and redundant guest-state writes: a set of a flag or register that is
// overwritten later in the block, with no read of it and no op that may leave the block
// in between (memory access, helper call: either can fault and must see exact state), is
// removed. This is where unread x86 flag computations disappear.
int remove_dead_state_writes(Block& b);
// Removes pure instructions whose value nobody uses (after the pass above, the flag
// computations that fed removed writes).
int remove_dead_values(Block& b);

PassStats run_default_passes(Block& b);

}  // namespace bmbt::ir
