#include "bmbt_runner.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "devices/machine.h"
#include "engine/backend.h"
#include "engine/interpreter.h"
#include "frontend-x86/translator.h"
#include "ir/passes/passes.h"

namespace bmbt::x86diff {

namespace {

// Guest RAM from physical 0 up to the end of the code page; only the touched pages are backed.
constexpr u64 kRamSize = kCodePage + kCodePageSize;

class RamCode final : public x86::CodeSource {
 public:
  explicit RamCode(const u8* ram) : ram_(ram) {}
  int fetch(u64 pc, u8* out, int max) override {
    if (pc >= kRamSize) return 0;
    int n = int(kRamSize - pc < u64(max) ? kRamSize - pc : u64(max));
    std::memcpy(out, ram_ + pc, usize(n));
    return n;
  }

 private:
  const u8* ram_;
};

}  // namespace

struct BmbtRunner::Impl {
  devices::Machine machine;
  u8* ram = nullptr;
  x86::Decoder decoder;
  ir::Block block;
  engine::ExecBackend* exec = nullptr;
  bool flag_groups = false;
};

BmbtRunner::BmbtRunner(engine::ExecBackend* exec, bool flag_groups) : impl_(std::make_unique<Impl>()) {
  impl_->exec = exec;
  impl_->flag_groups = flag_groups;
  void* p = mmap(nullptr, kRamSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) { std::perror("x86-diff: guest RAM"); std::exit(2); }
  impl_->ram = static_cast<u8*>(p);
  impl_->machine.memory.attach_ram(impl_->ram, kRamSize);
  std::memset(impl_->ram + kCodePage, kTrapByte, kCodePageSize);
}

BmbtRunner::~BmbtRunner() { munmap(impl_->ram, kRamSize); }

BmbtOutcome BmbtRunner::run(const Case& c) {
  Impl& m = *impl_;
  u8* window = m.ram + kWindowBase;
  fill_window(c.mem_seed, c.patches, c.n_patches, window);
  std::memcpy(m.ram + kCodeAddr, c.code, usize(c.code_len));

  // The case's code replaces the previous one at the same address: translations must not survive.
  if (m.exec) m.exec->flush();
  engine::Vcpu v{};
  softmmu::Mmu mmu(m.machine.memory, v.tlb);
  if (m.exec) v.jump_cache = m.exec->jump_cache();
  v.machine = &m.machine;
  v.mmu = &mmu;
  for (int i = 0; i < 16; ++i) v.cpu.regs[i] = c.in.gpr[i];
  v.cpu.regs[kRIP] = c.in.rip;
  v.cpu.regs[kFsBase] = c.in.fs_base;
  v.cpu.regs[kGsBase] = c.in.gs_base;
  write_rflags(v.cpu, c.in.rflags);

  BmbtOutcome r;
  RamCode code(m.ram);
  const u64 end = kCodeAddr + u64(c.code_len);
  int insns_left = c.n_insns;
  // Blocks until the RIP leaves the case's bytes (a sequence may span blocks).
  for (int step = 0; step < 16; ++step) {
    x86::TranslateLimits limits;
    limits.max_insns = insns_left > 0 ? insns_left : 1;
    limits.flag_groups = m.flag_groups;
    u64 pc = v.cpu.regs[kRIP];
    if (!x86::translate_block(m.decoder, code, pc, m.block, limits, nullptr)) {
      r.exit_text = "translate_block failed (IR overflow)";
      break;
    }
    insns_left -= int(m.block.guest_insns);
    ir::run_default_passes(m.block);
    // A helper that must stop the run (#DE, a faulting rep string) leaves a pending exit or a
    // recorded fault and lets the block continue to the instruction's pc (see ir.h).
    engine::BlockExit e;
    if (m.exec) {
      engine::TranslationBlock tb{};
      if (m.exec->install(m.block, tb) != engine::ExecBackend::Install::kOk) {
        r.exit_text = "the executor rejected the block";
        break;
      }
      e = engine::settle_exit(v, m.exec->execute(v, tb));
    } else {
      e = engine::settle_exit(v, engine::interpret(v, &m.block[0], m.block.size(), m.block.term));
    }
    if (e == engine::BlockExit::kNext) {
      u64 rip = v.cpu.regs[kRIP];
      if (rip >= pc && rip < end && rip != pc && insns_left > 0) continue;
      r.kind = ExitKind::kCompleted;
      break;
    }
    if (e == engine::BlockExit::kMemFault) {
      r.kind = ExitKind::kMemFault;
      char buf[96];
      std::snprintf(buf, sizeof buf, "memory fault at 0x%llx", (unsigned long long)v.fault.vaddr);
      r.exit_text = buf;
      break;
    }
    auto reason = ir::ExitReason(v.exit_reason);
    const char* name = ir::exit_reason_name(reason);
    r.exit_text = name;
    if (reason == ir::ExitReason::kUndefined || reason == ir::ExitReason::kDecodeError) {
      r.kind = ExitKind::kInvalidOpcode;
      r.unsupported = true;
    } else if (reason == ir::ExitReason::kDivideError) {
      r.kind = ExitKind::kDivideError;
    } else if (reason == ir::ExitReason::kGeneralProtection) {
      r.kind = ExitKind::kMemFault;  // natively a SIGSEGV (#GP, trap 13), like a data-access fault
    } else {
      r.kind = ExitKind::kOther;
    }
    break;
  }
  for (int i = 0; i < 16; ++i) r.out.gpr[i] = v.cpu.regs[i];
  r.out.rip = v.cpu.regs[kRIP];
  r.out.rflags = read_rflags(v.cpu);
  r.out.fs_base = v.cpu.regs[kFsBase];
  r.out.gs_base = v.cpu.regs[kGsBase];
  r.window = window;
  std::memset(m.ram + kCodeAddr, kTrapByte, usize(c.code_len));
  return r;
}

}  // namespace bmbt::x86diff
