// The LoongArch JIT's code, executed by the simulator on the x86-64 host, against the IR
// interpreter (which tests/unit/test_flags_vs_cpu.cpp proves against the host CPU): the ALU,
// shift and multiply forms of tests/unit/alu_forms.h and memory forms through the soft-TLB
// fast path, the miss stubs (native slow_load/slow_store calls), page-crossing and faulting
// accesses, and flag-chaining sequences (a flag written by one instruction and read by the
// next: adc after add, rcl after stc, a shift by cl = 0 that must keep the flags, ...).
// Registers, every flag byte, the touched memory and the exit must agree.
//
// With --lbt the JIT side uses the LBT flag strategy (blocks translated with flag groups, eflags
// in the LBT register; the simulator computes each LBT instruction's flags by running the x86
// instruction on the host CPU), the interpreter side stays the software reference.
//
//   la64_sim_jit_vs_interpreter [--per-form N] [--seed S] [--lbt]
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "alu_forms.h"
#include "disasm_text.h"
#include "engine/interpreter.h"
#include "ir/passes/passes.h"
#include "jit_sim.h"
#include "translate_bytes.h"

using namespace bmbt;
using namespace bmbt::test;

namespace {

constexpr size_t kRamBytes = 1 << 20;
constexpr size_t kComparedBytes = 8192;  // the two pages the memory forms touch
constexpr u64 kDF = 0x400;

struct Run {
  CpuState cpu;
  engine::BlockExit exit;
  std::vector<u8> mem;
};

class Harness {
 public:
  explicit Harness(bool lbt) : ram_(kRamBytes), lbt_(lbt), sim_(lbt) { machine_.memory.attach_ram(ram_.data(), ram_.size()); }

  // Runs `code` (+hlt) through the interpreter and the simulated JIT from the same state.
  bool run_both(const std::vector<u8>& code, const CpuState& in, Run* interp, Run* jit, std::string* err) {
    std::vector<u8> bytes = code;
    bytes.push_back(0xf4);
    if (!test::translate(bytes, *block_, 0x1000)) { *err = "translation failed"; return false; }
    ir::run_default_passes(*block_);
    if (!test::translate(bytes, *jit_block_, 0x1000, 64, lbt_)) { *err = "translation failed"; return false; }
    ir::run_default_passes(*jit_block_);
    for (int pass = 0; pass < 2; ++pass) {
      std::memset(ram_.data(), 0x5a, kComparedBytes);
      auto v = std::make_unique<engine::Vcpu>();
      softmmu::Mmu mmu(machine_.memory, v->tlb);
      v->machine = &machine_;
      v->mmu = &mmu;
      v->cpu = in;
      Run& out = pass == 0 ? *interp : *jit;
      if (pass == 0) {
        out.exit = engine::interpret(*v, &(*block_)[0], block_->size(), block_->term);
      } else if (!sim_.run(*jit_block_, *v, ram_.data(), ram_.size(), &out.exit)) {
        *err = sim_.error();
        return false;
      }
      out.exit = engine::settle_exit(*v, out.exit);
      out.cpu = v->cpu;
      out.mem.assign(ram_.begin(), ram_.begin() + kComparedBytes);
    }
    return true;
  }

  la64sim::JitOnSim& sim() { return sim_; }

 private:
  devices::Machine machine_;
  std::vector<u8> ram_;
  std::unique_ptr<ir::Block> block_ = std::make_unique<ir::Block>();      // for the interpreter
  std::unique_ptr<ir::Block> jit_block_ = std::make_unique<ir::Block>();  // for the JIT (flag groups under LBT)
  bool lbt_;
  la64sim::JitOnSim sim_;
};

// What a case compares besides the exit, the memory and the system flags. Under the LBT strategy
// a flag the SDM leaves undefined comes from the LBT hardware (here: from the simulator, which
// runs the x86 instruction on whatever x86 CPU runs the test, and Intel and AMD differ, e.g. AF
// after shifts), so only defined flags are compared, and a register that received an undefined
// flag (setcc, lahf) is compared without that bit. The software strategy must match exactly.
struct Checked {
  u64 flags = kArith | kDF;   // RFLAGS bit positions
  int reg = -1;               // a register with bits not compared
  u64 reg_bits_unchecked = 0;
};

bool same(const Run& a, const Run& b, const Checked& checked) {
  static constexpr u64 kFlagBit[7] = {kCF, kPF, kAF, kZF, kSF, kOF, kDF};  // CpuState::flags order
  for (int f = 0; f < 7; ++f)
    if ((checked.flags & kFlagBit[f]) && a.cpu.flags[f] != b.cpu.flags[f]) return false;
  for (int r = 0; r < kGuestRegCount; ++r) {
    const u64 unchecked = r == checked.reg ? checked.reg_bits_unchecked : 0;
    if ((a.cpu.regs[r] & ~unchecked) != (b.cpu.regs[r] & ~unchecked)) return false;
  }
  return a.exit == b.exit && a.cpu.rflags_system == b.cpu.rflags_system && a.mem == b.mem;
}

void report(const char* name, const std::vector<u8>& bytes, const CpuState& in, const Run& a, const Run& b,
            const std::vector<uint32_t>& code) {
  std::printf("MISMATCH %s: x86 bytes", name);
  for (u8 x : bytes) std::printf(" %02x", x);
  std::printf("\n  exits interp %u jit %u; rflags in %" PRIx64 " interp %" PRIx64 " jit %" PRIx64 "\n", unsigned(a.exit),
              unsigned(b.exit), read_rflags(in), read_rflags(a.cpu), read_rflags(b.cpu));
  for (int r = 0; r < kGuestRegCount; ++r) {
    if (in.regs[r] != a.cpu.regs[r] || a.cpu.regs[r] != b.cpu.regs[r])
      std::printf("  %-4s in %016" PRIx64 " interp %016" PRIx64 " jit %016" PRIx64 "%s\n", guest_reg_name(u8(r)), in.regs[r],
                  a.cpu.regs[r], b.cpu.regs[r], a.cpu.regs[r] != b.cpu.regs[r] ? "  <--" : "");
  }
  if (a.mem != b.mem) std::printf("  guest memory differs\n");
  std::printf("  generated block:\n%s", la64sim::disassemble_words(code).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  int per_form = 150;
  uint64_t seed = 7;
  bool lbt = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--lbt") lbt = true;
    else if (a == "--per-form" && i + 1 < argc) per_form = std::atoi(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 0);
    else { std::fprintf(stderr, "usage: %s [--per-form N] [--seed S] [--lbt]\n", argv[0]); return 2; }
  }
  Harness h(lbt);
  std::mt19937_64 rng(seed);
  int cases = 0, mismatches = 0, failures = 0;
  // One case through both executors; `extra` may name a further problem with the JIT's run.
  auto run_case = [&](const std::string& name, const std::vector<u8>& bytes, const CpuState& in,
                      const std::function<std::string(const Run&)>& extra = nullptr, Checked checked = Checked{}) {
    Run a, b;
    std::string err;
    ++cases;
    if (!h.run_both(bytes, in, &a, &b, &err)) {
      if (++failures <= 5) std::printf("FAILED %s: %s\n", name.c_str(), err.c_str());
      return;
    }
    const std::string why = extra ? extra(b) : std::string();
    if (!lbt) checked = Checked{};
    if ((!same(a, b, checked) || !why.empty()) && ++mismatches <= 5) {
      if (!why.empty()) std::printf("%s\n", why.c_str());
      report(name.c_str(), bytes, in, a, b, h.sim().last_block());
    }
  };

  for (const Form& f : forms()) {
    for (int n = 0; n < per_form; ++n) {
      CpuState in{};
      for (u64& r : in.regs) r = interesting(rng);
      in.regs[kRCX] = f.shift ? (rng() % 4 == 0 ? rng() % 3 : rng() & 0xff) : interesting(rng);
      write_rflags(in, 0x202 | (rng() & kArith));
      Checked checked;
      checked.flags = defined_flags(f, in.regs[kRCX]) | kDF;
      run_case(f.name.c_str(), f.bytes, in, nullptr, checked);
    }
  }

  // Flag-chaining sequences: the second instruction reads flags the first wrote (or keeps).
  // `lbt_checked`: what stays defined at the end (see Checked).
  struct SeqForm { const char* name; std::vector<u8> bytes; Checked lbt_checked = Checked{}; };
  const SeqForm seq_forms[] = {
      {"add rax,rcx; adc rdx,rbx", {0x48, 0x01, 0xc8, 0x48, 0x11, 0xda}},
      {"sub eax,ecx; sbb dl,bl", {0x29, 0xc8, 0x18, 0xda}},
      {"add rax,rbx; shl rdx,cl; adc rsi,rdi", {0x48, 0x01, 0xd8, 0x48, 0xd3, 0xe2, 0x48, 0x11, 0xfe}},
      {"cmp rax,rcx; inc rdx; adc rbx,rsi", {0x48, 0x39, 0xc8, 0x48, 0xff, 0xc2, 0x48, 0x11, 0xf3}},
      {"stc; rcl ax,cl; setc dl", {0xf9, 0x66, 0xd3, 0xd0, 0x0f, 0x92, 0xc2}, {kArith & ~kOF | kDF}},  // OF: count != 1
      {"bt rax,rcx; adc rdx,rbx", {0x48, 0x0f, 0xa3, 0xc8, 0x48, 0x11, 0xda}},
      {"imul rax,rcx; seto dl; sets bl", {0x48, 0x0f, 0xaf, 0xc1, 0x0f, 0x90, 0xc2, 0x0f, 0x98, 0xc3},
       {kCF | kOF | kDF, kRBX, 1}},  // SF ZF AF PF undefined after imul, SF in bl
      {"xor eax,ecx; cmovz rdx,rbx", {0x31, 0xc8, 0x48, 0x0f, 0x44, 0xd3}},
      {"neg rax; sbb rcx,rcx", {0x48, 0xf7, 0xd8, 0x48, 0x19, 0xc9}},
      {"dec ecx; rcr bl,1; setl al", {0xff, 0xc9, 0xd0, 0xdb, 0x0f, 0x9c, 0xc0}},
      {"sar edx,cl; lahf", {0xd3, 0xfa, 0x9f}, {kArith & ~(kAF | kOF) | kDF, kRAX, kAF << 8}},  // AF in ah
      {"mul rcx; adc rbx,rdx", {0x48, 0xf7, 0xe1, 0x48, 0x11, 0xd3}},
  };
  for (const SeqForm& f : seq_forms) {
    for (int n = 0; n < per_form; ++n) {
      CpuState in{};
      for (u64& r : in.regs) r = interesting(rng);
      in.regs[kRCX] = rng() % 4 == 0 ? rng() % 3 : interesting(rng);  // counts of 0 and 1 often
      write_rflags(in, 0x202 | (rng() & kArith));
      run_case(f.name, f.bytes, in, nullptr, f.lbt_checked);
    }
  }

  struct MemForm { const char* name; std::vector<u8> bytes; };
  const MemForm mem_forms[] = {
      {"mov rax,[rdx]", {0x48, 0x8b, 0x02}},           {"mov [rdx],eax", {0x89, 0x02}},
      {"add [rdx],ax", {0x66, 0x01, 0x02}},            {"movzx eax,byte[rdx+rcx*2+3]", {0x0f, 0xb6, 0x44, 0x4a, 0x03}},
      {"push rax; pop rcx", {0x50, 0x59}},             {"sub byte [rdx],cl", {0x28, 0x0a}},
      {"xchg [rdx],rcx", {0x48, 0x87, 0x0a}},          {"mov rax,[rdx-8]", {0x48, 0x8b, 0x42, 0xf8}},
      {"mov [rdx],rcx; mov eax,[rdx+4]", {0x48, 0x89, 0x0a, 0x8b, 0x42, 0x04}},
      {"inc qword [rdx]", {0x48, 0xff, 0x02}},         {"mov word [rdx],cx", {0x66, 0x89, 0x0a}},
      {"movsx rax,word[rdx]", {0x48, 0x0f, 0xbf, 0x02}},
  };
  for (const MemForm& f : mem_forms) {
    for (int n = 0; n < per_form + 50; ++n) {
      CpuState in{};
      for (u64& r : in.regs) r = rng();
      // Addresses in the first page, at its end (crossing into the second page), or unmapped.
      u64 pick = rng() % 4;
      in.regs[kRDX] = pick == 0 ? 0x2000000 + (rng() & 0xffff) : pick == 1 ? 0xff8 + rng() % 8 : 0x100 + (rng() & 0x3ff);
      in.regs[kRCX] &= 0xff;
      in.regs[kRSP] = 0x800 + (rng() & 0x3f8);
      write_rflags(in, 0x202 | (rng() & kArith));
      run_case(f.name, f.bytes, in);
    }
  }

  // Faults in the middle of a block: the instructions before the faulting access have changed
  // registers and flags (some flags dead later in the block), the access at a known offset hits
  // unmapped memory. State must be exactly the interpreter's, and RIP that instruction (the
  // offset comes from the bytes, not from BMBT). The JIT finds it through the block's PC map.
  struct FaultForm { const char* name; std::vector<u8> bytes; u64 fault_offset; };
  const FaultForm fault_forms[] = {
      {"add rax,rcx; shl rdx,3; inc rsi; mov r8,[rdi]; sub r9,r10",
       {0x48, 0x01, 0xc8, 0x48, 0xc1, 0xe2, 0x03, 0x48, 0xff, 0xc6, 0x4c, 0x8b, 0x07, 0x4d, 0x29, 0xd1}, 10},
      {"cmp rax,rcx; adc rdx,rbx; mov [rdi+8],rdx; xor eax,eax",
       {0x48, 0x39, 0xc8, 0x48, 0x11, 0xda, 0x48, 0x89, 0x57, 0x08, 0x31, 0xc0}, 6},
      {"mov [rsi],al; add [rdi],ecx; dec rbx",
       {0x88, 0x06, 0x01, 0x0f, 0x48, 0xff, 0xcb}, 2},
  };
  for (const FaultForm& f : fault_forms) {
    for (int n = 0; n < per_form; ++n) {
      CpuState in{};
      for (u64& r : in.regs) r = interesting(rng);
      in.regs[kRSI] = 0x800 + (rng() & 0x3ff);         // mapped
      in.regs[kRDI] = 0x2000000 + (rng() & 0xffff);    // unmapped: the access faults
      write_rflags(in, 0x202 | (rng() & kArith));
      run_case(f.name, f.bytes, in, [&](const Run& jit) {
        const u64 expected = 0x1000 + f.fault_offset;
        if (jit.exit == engine::BlockExit::kMemFault && jit.cpu.regs[kRIP] == expected) return std::string();
        char why[160];
        std::snprintf(why, sizeof why, "FAULT RIP %s: exit %u rip %#" PRIx64 ", expected the fault at %#" PRIx64, f.name,
                      unsigned(jit.exit), jit.cpu.regs[kRIP], expected);
        return std::string(why);
      });
    }
  }

  std::printf("JIT (%s flags) on the simulator vs interpreter: %d cases, %" PRIu64 " LoongArch instructions simulated, %" PRIu64
              " native helper calls, %d mismatches, %d failures\n",
              lbt ? "LBT" : "software", cases, h.sim().simulated_instructions(), h.sim().host_calls(), mismatches, failures);
  return mismatches == 0 && failures == 0 ? 0 : 1;
}
