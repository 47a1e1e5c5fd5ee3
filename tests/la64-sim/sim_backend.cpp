#include "sim_backend.h"

#include <cstdio>
#include <cstdlib>

#include "backend-la64/disasm.h"
#include "engine/helpers.h"
#include "ir/semantics.h"

namespace bmbt::la64sim {

namespace {

constexpr uint64_t kReturnAddress = 0xdead0000;  // outside every region: the trampoline returns here
constexpr uint64_t kPoison = 0x5a5a5a5a5a5a5a5a;
constexpr Reg kCalleeSaved[] = {kFp, kS0, kS1, kS2, kS3, kS4, kS5, kS6, kS7, kS8};
constexpr size_t kStackBytes = 64 * 1024;

uint64_t marker(int reg) { return 0xc0de000000000000ull | uint64_t(reg) << 8; }
uint64_t addr(const void* p) { return uint64_t(reinterpret_cast<uintptr_t>(p)); }

}  // namespace

SimBackend::SimBackend() : stack_(kStackBytes) {}
SimBackend::~SimBackend() = default;

bool SimBackend::init(std::string* error, bool count_insns, bool lbt, uint64_t max_insns) {
  FixedText<256> err;
  jit_.set_simulated();
  if (!jit_.init(err, count_insns, lbt)) {
    *error = err.c_str();
    return false;
  }
  count_insns_ = count_insns;
  max_insns_ = max_insns;
  cache_base_ = addr(jit_.code_cache());
  cache_bytes_ = uint64_t(jit_.code_cache_words()) * 4;
  trampoline_end_ = cache_base_ + uint64_t(jit_.trampoline_words()) * 4;
  retired_ops_.assign(size_t(la64::Op::kCount), 0);
  // The same callees jit_backend.cpp gives the code generator (make_targets, the miss stubs).
  for (uint16_t h = 0; h < uint16_t(ir::HelperId::kCount) && h < 8; ++h) {
    engine::HelperFn fn = engine::helper_function(h);
    if (fn) host_calls_[addr(reinterpret_cast<const void*>(fn))] = HostCall{HostCall::Kind::kHelper, fn, &counts_.host_calls[ir::helper_name(h)]};
  }
  // The soft-TLB miss stubs' callees (they pass the host PC of the access, not a guest PC).
  host_calls_[addr(reinterpret_cast<const void*>(&engine::slow_load_from_code))] = HostCall{HostCall::Kind::kSlowLoad, nullptr, &counts_.host_calls["slow_load (soft-TLB miss)"]};
  host_calls_[addr(reinterpret_cast<const void*>(&engine::slow_store_from_code))] = HostCall{HostCall::Kind::kSlowStore, nullptr, &counts_.host_calls["slow_store (soft-TLB miss)"]};
  return true;
}

SimCounts SimBackend::counts() const {
  SimCounts c = counts_;
  c.op_counts = retired_ops_;
  if (sim_) {
    for (size_t i = 0; i < c.op_counts.size(); ++i) c.op_counts[i] += sim_->op_counts()[i];
  }
  return c;
}

engine::ExecBackend::Install SimBackend::install(const ir::Block& block, engine::TranslationBlock& tb) {
  Install r = jit_.install(block, tb);
  if (r != Install::kOk) return r;
  const size_t word = size_t((addr(tb.code) - cache_base_) / 4);
  if (block_start_insns_.size() <= word) block_start_insns_.resize(word + 1 + (1 << 12));
  block_start_insns_[word] = block.guest_insns;
  counts_.emitted_words += tb.code_size / 4;
  counts_.translated_insns += block.guest_insns;
  return r;
}

void SimBackend::flush() {
  jit_.flush();
  block_start_insns_.assign(block_start_insns_.size(), 0);
}

// The simulator sees the code cache, the vCPU, guest RAM, a stack and the jump cache at their host
// addresses (the soft TLB's addends are host pointers, so TLB hits load straight from guest RAM).
// Most accesses are fetches, so the code cache is the first region searched.
void SimBackend::map_memory(engine::Vcpu& vcpu) {
  memory_ = AddressSpace();
  memory_.map(cache_base_, cache_bytes_, const_cast<uint32_t*>(jit_.code_cache()), false, true, "code cache");
  memory_.map_identity(&vcpu, sizeof(vcpu), true, false, "vcpu");
  const softmmu::GuestMemory& ram = vcpu.machine->memory;
  memory_.map_identity(ram.ram(), ram.ram_size(), true, false, "guest ram");
  memory_.map_identity(stack_.data(), stack_.size(), true, false, "stack");
  memory_.map_identity(jit_.jump_cache(), sizeof(engine::JumpCacheEntry) * engine::kJumpCacheEntries, false, false, "jump cache");
  if (sim_) {
    for (size_t i = 0; i < retired_ops_.size(); ++i) retired_ops_[i] += sim_->op_counts()[i];
  }
  sim_ = std::make_unique<Simulator>(memory_);
  mapped_vcpu_ = &vcpu;
}

engine::BlockExit SimBackend::execute(engine::Vcpu& vcpu, engine::TranslationBlock& tb) {
  if (mapped_vcpu_ != &vcpu) map_memory(vcpu);
  jit_.prepare_vcpu(vcpu);  // return predictions from before a flush point at stale code
  Simulator& sim = *sim_;
  for (int r = 1; r < 32; ++r) sim.s.gpr[r] = marker(r);
  const uint64_t sp = addr(stack_.data() + stack_.size());
  sim.s.gpr[kSp] = sp;
  sim.s.gpr[kRa] = kReturnAddress;
  sim.s.gpr[kA0] = addr(&vcpu);
  sim.s.gpr[kA1] = addr(tb.code);
  sim.s.pc = cache_base_;  // the trampoline's entry
  ++counts_.executes;

  std::string call_error;
  sim.on_foreign_pc = [&](Simulator& s) {
    auto it = host_calls_.find(s.s.pc);
    if (it == host_calls_.end()) return false;
    const uint64_t* a = &s.s.gpr[kA0];
    if (a[0] != addr(&vcpu)) {
      call_error = "host call with $a0 not the Vcpu";
      return false;
    }
    auto* v = reinterpret_cast<engine::Vcpu*>(a[0]);
    uint64_t result = 0;
    switch (it->second.kind) {
      case HostCall::Kind::kHelper: result = it->second.helper(v, a[1], a[2], a[3]); break;
      case HostCall::Kind::kSlowLoad: result = engine::slow_load_from_code(v, a[1], a[2], a[3]); break;
      case HostCall::Kind::kSlowStore: result = engine::slow_store_from_code(v, a[1], a[2], a[3], a[4]); break;
    }
    ++*it->second.counter;
    // A C function may clobber every caller-saved register ($a1-$a7, $t0-$t8; $r21 is reserved).
    for (int r = kA1; r <= kT8; ++r) s.s.gpr[r] = kPoison;
    s.s.gpr[kA0] = result;
    s.s.pc = s.s.gpr[kRa];
    return true;
  };

  // Classify each instruction by where its PC is before running it. A block's first word is
  // reached only by entering the block (the trampoline's jump, a chained `b`, a jump-cache hit).
  uint64_t block = 0, trampoline = 0, guest = 0, entries = 0;
  const uint64_t total_before = counts_.block_insns + counts_.trampoline_insns;
  for (;;) {
    const uint64_t pc = sim.s.pc;
    if (pc == kReturnAddress) break;
    const uint64_t off = pc - cache_base_;
    if (off < cache_bytes_) {
      if (pc < trampoline_end_) {
        ++trampoline;
      } else {
        ++block;
        const uint64_t word = off / 4;
        if (word < block_start_insns_.size() && block_start_insns_[word]) {
          // Without counting the block's budget check sends a negative budget straight back.
          if (count_insns_ || vcpu.budget >= 0) guest += block_start_insns_[word];
          ++entries;
        }
      }
    }
    Stop st = sim.step();
    if (st != Stop::kRunning) fail(call_error.empty() ? sim.error() : call_error, vcpu);
    if (max_insns_ && total_before + block + trampoline > max_insns_) {
      counts_.block_insns += block;
      counts_.trampoline_insns += trampoline;
      fail("more than " + std::to_string(max_insns_) + " LoongArch instructions simulated (--max-la-insns)", vcpu);
    }
  }
  counts_.block_insns += block;
  counts_.trampoline_insns += trampoline;
  counts_.guest_insns += guest;
  counts_.block_entries += entries;

  for (Reg r : kCalleeSaved) {
    if (sim.s.gpr[r] != marker(r)) fail("callee-saved $r" + std::to_string(int(r)) + " not restored by the trampoline", vcpu);
  }
  if (sim.s.gpr[kSp] != sp) fail("$sp not restored by the trampoline", vcpu);
  const auto exit = engine::BlockExit(uint32_t(sim.s.gpr[kA0]));
  counts_.returns[classify_return(exit, vcpu)]++;
  // What JitBackend::execute does after the code returns: a faulting miss path left its host PC.
  if (exit == engine::BlockExit::kMemFault) jit_.resolve_fault_pc(vcpu);
  return exit;
}

// Why translated code came back, from the exit value and what the exit code left in the vCPU
// (codegen.cpp: a direct exit records its chain slot; an indirect miss and the budget exit do not).
const char* SimBackend::classify_return(engine::BlockExit raw, const engine::Vcpu& vcpu) const {
  switch (raw) {
    case engine::BlockExit::kMemFault: return "memory fault";
    case engine::BlockExit::kExitReason: return ir::exit_reason_name(ir::ExitReason(vcpu.exit_reason & 0xff));
    case engine::BlockExit::kNext: break;
  }
  if (vcpu.fault.faulted) return "memory fault (helper)";
  if (vcpu.exit_reason & ir::kExitPending) return ir::exit_reason_name(ir::ExitReason(vcpu.exit_reason & 0xff));
  if (vcpu.chain_slot) return "unchained direct exit";
  if (vcpu.budget < 0) return "budget";
  return "jump-cache miss";
}

void SimBackend::fail(const std::string& what, const engine::Vcpu& vcpu) {
  std::fprintf(stderr, "bmbt-simrun: the simulator stopped: %s\n", what.c_str());
  const uint64_t pc = sim_->s.pc;
  std::fprintf(stderr, "bmbt-simrun: guest rip=0x%llx, LoongArch pc=0x%llx (%s)\n",
               static_cast<unsigned long long>(vcpu.cpu.regs[kRIP]), static_cast<unsigned long long>(pc),
               pc - cache_base_ >= cache_bytes_ ? "outside the code cache" : pc < trampoline_end_ ? "trampoline" : "translated code");
  if (pc - cache_base_ < cache_bytes_) {
    const uint32_t* words = jit_.code_cache();
    const uint64_t at = (pc - cache_base_) / 4;
    for (uint64_t i = at >= 6 ? at - 6 : 0; i <= at + 2 && i < cache_bytes_ / 4; ++i) {
      FixedText<120> t;
      la64::disassemble(words[i], t);
      std::fprintf(stderr, "  %s %llx:  %08x  %s\n", i == at ? "=>" : "  ",
                   static_cast<unsigned long long>(cache_base_ + i * 4), words[i], t.c_str());
    }
  }
  std::fflush(stdout);
  std::exit(3);
}

}  // namespace bmbt::la64sim
