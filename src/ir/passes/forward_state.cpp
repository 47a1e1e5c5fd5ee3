// forward_state shares its walk with fold_constants (fold_constants.cpp): run_default_passes
// runs the two in one walk.
#include "ir/passes/passes.h"

namespace bmbt::ir {

int forward_state(Block& b) { return forward_and_fold(b, true, false).forwarded_reads; }

}  // namespace bmbt::ir
