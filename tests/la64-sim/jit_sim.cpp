#include "jit_sim.h"

#include <cstdio>

#include "engine/helpers.h"

namespace bmbt::la64sim {

namespace {

constexpr size_t kCodeWords = 1 << 16;
constexpr size_t kTrampolineWords = 4096;
constexpr uint64_t kReturnAddress = 0xdead0000;  // outside every region: the run ends there
constexpr uint64_t kPoison = 0x5a5a5a5a5a5a5a5a;
constexpr Reg kCalleeSaved[] = {kFp, kS0, kS1, kS2, kS3, kS4, kS5, kS6, kS7, kS8};

uint64_t marker(int reg) { return 0xc0de000000000000ull | uint64_t(reg) << 8; }

}  // namespace

JitOnSim::JitOnSim(bool lbt)
    : code_(kCodeWords), stack_(64 * 1024), jump_cache_(new engine::JumpCacheEntry[engine::kJumpCacheEntries]) {
  la64::write_trampoline(code_.data(), kTrampolineWords, &layout_, lbt);
  targets_ = la64::make_targets(uint64_t(reinterpret_cast<uintptr_t>(code_.data())), layout_, false, lbt);
  for (int i = 0; i < engine::kJumpCacheEntries; ++i) jump_cache_[i] = engine::JumpCacheEntry{~uint64_t(0), 0};
  // The functions translated code may call, with their real C signatures.
  for (uint64_t fn : targets_.helpers) {
    if (!fn) continue;
    auto h = reinterpret_cast<engine::HelperFn>(fn);
    host_fns_[fn] = [h](const uint64_t* a) { return h(reinterpret_cast<engine::Vcpu*>(a[0]), a[1], a[2], a[3]); };
  }
  host_fns_[uint64_t(reinterpret_cast<uintptr_t>(&engine::slow_load_from_code))] = [](const uint64_t* a) {
    return engine::slow_load_from_code(reinterpret_cast<engine::Vcpu*>(a[0]), a[1], a[2], a[3]);
  };
  host_fns_[uint64_t(reinterpret_cast<uintptr_t>(&engine::slow_store_from_code))] = [](const uint64_t* a) {
    return engine::slow_store_from_code(reinterpret_cast<engine::Vcpu*>(a[0]), a[1], a[2], a[3], a[4]);
  };
}

bool JitOnSim::run(const ir::Block& block, engine::Vcpu& vcpu, void* ram, uint64_t ram_bytes, engine::BlockExit* exit) {
  uint32_t* at = code_.data() + kTrampolineWords;
  const uint64_t base = uint64_t(reinterpret_cast<uintptr_t>(at));
  la64::CodegenResult g = la64::generate(block, targets_, base, at, kCodeWords - kTrampolineWords);
  if (g.status != la64::CodegenStatus::kOk) {
    error_ = std::string("code generation failed: ") + (g.error ? g.error : "status " + std::to_string(int(g.status)));
    return false;
  }
  last_block_.assign(at, at + g.words);
  vcpu.jump_cache = jump_cache_.get();
  la64::reset_return_predictions(vcpu, uint64_t(reinterpret_cast<uintptr_t>(code_.data() + layout_.unused_prediction)));

  AddressSpace as;
  as.map_identity(code_.data(), code_.size() * 4, false, true, "code");
  as.map_identity(&vcpu, sizeof(vcpu), true, false, "vcpu");
  as.map_identity(ram, ram_bytes, true, false, "guest ram");
  as.map_identity(stack_.data(), stack_.size(), true, false, "stack");
  as.map_identity(jump_cache_.get(), sizeof(engine::JumpCacheEntry) * engine::kJumpCacheEntries, false, false, "jump cache");

  Simulator sim(as);
  for (int r = 1; r < 32; ++r) sim.s.gpr[r] = marker(r);
  sim.s.eflags = 0x8d5;  // CF PF AF ZF SF OF all set: nothing may read eflags before the trampoline loads it
  const uint64_t sp = uint64_t(reinterpret_cast<uintptr_t>(stack_.data() + stack_.size()));
  sim.s.gpr[kSp] = sp;
  sim.s.gpr[kRa] = kReturnAddress;
  sim.s.gpr[kA0] = uint64_t(reinterpret_cast<uintptr_t>(&vcpu));
  sim.s.gpr[kA1] = base;
  sim.s.pc = uint64_t(reinterpret_cast<uintptr_t>(code_.data()));  // the trampoline's entry
  std::string call_error;
  sim.on_foreign_pc = [&](Simulator& s) {
    auto it = host_fns_.find(s.s.pc);
    if (it == host_fns_.end()) return false;
    uint64_t args[5];
    for (int i = 0; i < 5; ++i) args[i] = s.s.gpr[kA0 + i];
    if (args[0] != uint64_t(reinterpret_cast<uintptr_t>(&vcpu))) {
      call_error = "host call with $a0 not the Vcpu";
      return false;
    }
    uint64_t result = it->second(args);
    ++host_calls_;
    // A C function may clobber every caller-saved register ($a1-$a7, $t0-$t8; $r21 is reserved).
    for (int r = kA1; r <= kT8; ++r) s.s.gpr[r] = kPoison;
    s.s.gpr[kA0] = result;
    s.s.pc = s.s.gpr[kRa];
    return true;
  };
  Stop st = sim.run(kReturnAddress, 1000000);
  instructions_ += sim.steps();
  for (size_t i = 0; i < op_counts_.size(); ++i) op_counts_[i] += sim.op_counts()[i];
  if (st != Stop::kReachedStopPc) {
    error_ = call_error.empty() ? sim.error() : call_error;
    return false;
  }
  for (Reg r : kCalleeSaved) {
    if (sim.s.gpr[r] != marker(r)) {
      char buf[96];
      std::snprintf(buf, sizeof(buf), "callee-saved $r%d not restored by the trampoline", int(r));
      error_ = buf;
      return false;
    }
  }
  if (sim.s.gpr[kSp] != sp) {
    error_ = "$sp not restored by the trampoline";
    return false;
  }
  *exit = engine::BlockExit(uint32_t(sim.s.gpr[kA0]));
  if (*exit == engine::BlockExit::kMemFault && vcpu.fault_host_pc) {
    // The block's PC map gives the faulting guest instruction (as JitBackend does).
    uint64_t guest_pc;
    if (!la64::pc_map_lookup(at, g.words, block.guest_pc, vcpu.fault_host_pc, &guest_pc)) {
      error_ = "memory fault at a host pc outside the block's PC map";
      return false;
    }
    vcpu.cpu.regs[kRIP] = guest_pc;
    vcpu.fault_host_pc = 0;
  }
  return true;
}

}  // namespace bmbt::la64sim
