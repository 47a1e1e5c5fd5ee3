// C++ functions that translated code and the interpreter call: the IR's Call helpers
// (ir/helpers.inc) and the soft-MMU slow paths. All share one signature so the backend
// can call any of them the same way.
#pragma once
#include "engine/vcpu.h"

namespace bmbt::engine {

using HelperFn = u64 (*)(Vcpu* vcpu, u64 a, u64 b, u64 c);
HelperFn helper_function(u16 helper_id);  // by ir::HelperId

// Memory slow paths (soft-TLB miss, page-crossing access). On a fault they record it in
// vcpu->fault, set cpu.rip to `guest_pc` (the faulting instruction) and return 0 / false;
// the caller then leaves the block with BlockExit::kMemFault.
u64 slow_load(Vcpu* vcpu, u64 vaddr, u64 size, u64 guest_pc);
u64 slow_store(Vcpu* vcpu, u64 vaddr, u64 value, u64 size, u64 guest_pc);  // 1 = done, 0 = fault
// The same for translated code, which passes the host PC of the access instead of the guest PC
// (no per-access guest PC in the code): on a fault it is kept in vcpu->fault_host_pc and the
// JIT maps it back to the guest instruction through the block's PC map.
u64 slow_load_from_code(Vcpu* vcpu, u64 vaddr, u64 size, u64 host_pc);
u64 slow_store_from_code(Vcpu* vcpu, u64 vaddr, u64 value, u64 size, u64 host_pc);

}  // namespace bmbt::engine
