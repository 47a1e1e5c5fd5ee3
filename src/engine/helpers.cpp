#include "engine/helpers.h"

#include "ir/semantics.h"

namespace bmbt::engine {

static u64 port_out(Vcpu* v, u64 port, u64 value, u64 size) {
  v->machine->io.write(u16(port), u32(value), int(size));
  return 0;
}

static u64 port_in(Vcpu* v, u64 port, u64 size, u64) {
  return v->machine->io.read(u16(port), int(size));
}

HelperFn helper_function(u16 id) {
  switch (ir::HelperId(id)) {
    case ir::HelperId::PortOut: return port_out;
    case ir::HelperId::PortIn: return port_in;
    default: return nullptr;
  }
}

u64 slow_load(Vcpu* v, u64 vaddr, u64 size, u64 guest_pc) {
  u64 value = 0;
  if (!v->mmu->load(vaddr, int(size), &value, &v->fault)) {
    v->cpu.regs[kRIP] = guest_pc;
    return 0;
  }
  return value;
}

u64 slow_store(Vcpu* v, u64 vaddr, u64 value, u64 size, u64 guest_pc) {
  if (!v->mmu->store(vaddr, int(size), value, &v->fault)) {
    v->cpu.regs[kRIP] = guest_pc;
    return 0;
  }
  return 1;
}

}  // namespace bmbt::engine
