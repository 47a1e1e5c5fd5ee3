// The LoongArch JIT against the IR interpreter (which test_flags_vs_cpu.cpp proves against the
// real x86 CPU): the same instruction forms and operands, executed by both on the LoongArch
// build (under qemu-loongarch64 here). Registers and every flag byte must agree. Also covers
// memory accesses through the soft-TLB fast and slow paths and a block that faults.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "alu_forms.h"
#include "backend-la64/jit_backend.h"
#include "engine/interpreter.h"
#include "ir/passes/passes.h"
#include "translate_bytes.h"

using namespace bmbt;
using namespace bmbt::test;

namespace {

struct Harness {
  devices::Machine machine;
  std::vector<u8> ram = std::vector<u8>(1 << 20);
  la64::JitBackend jit;
  std::unique_ptr<ir::Block> block = std::make_unique<ir::Block>();

  Harness() {
    machine.memory.attach_ram(ram.data(), ram.size());
    FixedText<100> err;
    bool ok = jit.init(err);
    REQUIRE_MESSAGE(ok, err.c_str());
  }

  // Runs `code` (+hlt) from `in` through interpreter and JIT, block by block (branches, divisions
  // and helpers end blocks early) until an exit, a fault or a pending exit; returns both final states.
  void run_both(const std::vector<u8>& code, const CpuState& in, CpuState* via_interp, CpuState* via_jit,
                engine::BlockExit* exit_interp, engine::BlockExit* exit_jit) {
    std::vector<u8> bytes = code;
    bytes.push_back(0xf4);
    jit.flush();
    for (int pass = 0; pass < 2; ++pass) {
      std::memset(ram.data(), 0x5a, sizeof(mem_interp));  // same memory contents for both runs
      engine::Vcpu v{};
      softmmu::Mmu mmu(machine.memory, v.tlb);
      v.machine = &machine;
      v.mmu = &mmu;
      v.cpu = in;
      v.cpu.regs[kRIP] = 0x1000;
      v.jump_cache = jit.jump_cache();  // indirect exits (ret, call [m], rep strings) look it up inline
      engine::BlockExit e = engine::BlockExit::kNext;
      for (int n = 0; n < 8 && e == engine::BlockExit::kNext; ++n) {
        const u64 pc = v.cpu.regs[kRIP];
        if (pc < 0x1000 || pc >= 0x1000 + bytes.size()) break;
        std::vector<u8> rest(bytes.begin() + long(pc - 0x1000), bytes.end());
        REQUIRE(test::translate(rest, *block, pc));
        ir::run_default_passes(*block);
        if (pass == 0) {
          e = engine::interpret(v, &(*block)[0], block->size(), block->term);
        } else {
          engine::TranslationBlock tb{};
          REQUIRE(jit.install(*block, tb) == engine::ExecBackend::Install::kOk);
          e = jit.execute(v, tb);
        }
        const u32 reason = v.exit_reason;
        e = engine::settle_exit(v, e);  // e.g. #DE: the same exit from both executors
        if (e != engine::BlockExit::kNext) { v.exit_reason = reason; break; }
      }
      *(pass == 0 ? exit_interp : exit_jit) = e;
      *(pass == 0 ? via_interp : via_jit) = v.cpu;
      (pass == 0 ? exit_reason_interp : exit_reason_jit) = v.exit_reason;
      std::memcpy(pass == 0 ? mem_interp : mem_jit, ram.data(), sizeof(mem_interp));
    }
  }
  u32 exit_reason_interp = 0, exit_reason_jit = 0;
  u8 mem_interp[8192];  // the two pages the tests touch
  u8 mem_jit[8192];
};

bool same_state(const CpuState& a, const CpuState& b) {
  return std::memcmp(a.regs, b.regs, sizeof(a.regs)) == 0 && std::memcmp(a.flags, b.flags, 7) == 0 &&
         a.rflags_system == b.rflags_system;
}

}  // namespace

TEST_CASE("JIT equals interpreter on ALU, shift and multiply forms") {
  Harness h;
  std::mt19937_64 rng(7);
  int cases = 0, mismatches = 0;
  for (const Form& f : forms()) {
    for (int n = 0; n < 150; ++n) {
      CpuState in{};
      for (u64& r : in.regs) r = interesting(rng);
      in.regs[kRCX] = f.shift ? (rng() % 4 == 0 ? rng() % 3 : rng() & 0xff) : interesting(rng);
      write_rflags(in, 0x202 | (rng() & kArith));
      CpuState a, b;
      engine::BlockExit ea, eb;
      h.run_both(f.bytes, in, &a, &b, &ea, &eb);
      ++cases;
      if (ea != eb || !same_state(a, b) || h.exit_reason_interp != h.exit_reason_jit) {
        if (++mismatches <= 10)
          FAIL_CHECK(f.name << ": rax " << std::hex << in.regs[kRAX] << " rdx " << in.regs[kRDX] << " rcx " << in.regs[kRCX]
                            << " -> interp rax " << a.regs[kRAX] << " rdx " << a.regs[kRDX] << " fl " << read_rflags(a)
                            << " | jit rax " << b.regs[kRAX] << " rdx " << b.regs[kRDX] << " fl " << read_rflags(b));
      }
    }
  }
  MESSAGE("jit-vs-interpreter ALU cases: " << cases << ", mismatches: " << mismatches);
  CHECK(mismatches == 0);
}

TEST_CASE("JIT equals interpreter on memory forms, including page-crossing and faulting accesses") {
  Harness h;
  struct MemForm { const char* name; std::vector<u8> bytes; };
  const MemForm mem_forms[] = {
      {"mov rax,[rdx]", {0x48, 0x8b, 0x02}},           {"mov [rdx],eax", {0x89, 0x02}},
      {"add [rdx],ax", {0x66, 0x01, 0x02}},            {"movzx eax,byte[rdx+rcx*2+3]", {0x0f, 0xb6, 0x44, 0x4a, 0x03}},
      {"push rax; pop rcx", {0x50, 0x59}},             {"sub byte [rdx],cl", {0x28, 0x0a}},
      {"xchg [rdx],rcx", {0x48, 0x87, 0x0a}},          {"mov rax,[rdx-8]", {0x48, 0x8b, 0x42, 0xf8}},
      // mov rsi, rdx; lea rdi, [rdx+0x40]; then a string instruction (rcx is a small count).
      {"rep movsb", {0x48, 0x89, 0xd6, 0x48, 0x8d, 0x7a, 0x40, 0xf3, 0xa4}},
      {"std; rep movsq", {0x48, 0x89, 0xd6, 0x48, 0x8d, 0x7a, 0x40, 0xfd, 0xf3, 0x48, 0xa5}},
      {"rep stosd", {0x48, 0x89, 0xd6, 0x48, 0x8d, 0x7a, 0x40, 0xf3, 0xab}},
      {"repe cmpsb", {0x48, 0x89, 0xd6, 0x48, 0x8d, 0x7a, 0x40, 0xf3, 0xa6}},
      {"repne scasw", {0x48, 0x89, 0xd6, 0x48, 0x8d, 0x7a, 0x40, 0x66, 0xf2, 0xaf}},
      {"movsw; lodsq; cmpsb", {0x48, 0x89, 0xd6, 0x48, 0x8d, 0x7a, 0x40, 0x66, 0xa5, 0x48, 0xad, 0xa6}},
      {"bts [rdx],rcx", {0x48, 0x0f, 0xab, 0x0a}},     {"btc word [rdx],ax", {0x66, 0x0f, 0xbb, 0x02}},
      {"lock xadd [rdx],rax", {0xf0, 0x48, 0x0f, 0xc1, 0x02}},
      {"cmpxchg [rdx],ecx", {0x0f, 0xb1, 0x0a}},       {"cmpxchg8b [rdx]", {0x0f, 0xc7, 0x0a}},
      {"cmpxchg16b [rdx]", {0x48, 0x0f, 0xc7, 0x0a}},
      {"enter 0x20,3; leave", {0x48, 0x89, 0xd5, 0xc8, 0x20, 0x00, 0x03, 0xc9}},
      {"pushf; pop rax; push rcx; popf", {0x9c, 0x58, 0x51, 0x9d}},
      {"push word [rdx]; pop ax", {0x66, 0xff, 0x32, 0x66, 0x58}},
      {"pop qword [rsp+8]", {0x8f, 0x44, 0x24, 0x08}},
      {"div dword [rdx]", {0xf7, 0x32}},                {"idiv qword [rdx]", {0x48, 0xf7, 0x3a}},
      {"shld [rdx],rax,cl", {0x48, 0x0f, 0xa5, 0x02}}, {"rcr byte [rdx],cl", {0xd2, 0x1a}},
      {"movbe eax,[rdx]", {0x0f, 0x38, 0xf0, 0x02}},   {"popcnt rax,[rdx]", {0xf3, 0x48, 0x0f, 0xb8, 0x02}},
      {"call [rdx]", {0xff, 0x12}},                     {"ret 8", {0x48, 0x8d, 0x64, 0x24, 0x00, 0xc2, 0x08, 0x00}},
  };
  std::mt19937_64 rng(11);
  int cases = 0, mismatches = 0;
  for (const MemForm& f : mem_forms) {
    for (int n = 0; n < 200; ++n) {
      CpuState in{};
      for (u64& r : in.regs) r = rng();
      // Addresses in the first page, at its end (crossing into the second page), or unmapped.
      u64 pick = rng() % 4;
      in.regs[kRDX] = pick == 0 ? 0x2000000 + (rng() & 0xffff) : pick == 1 ? 0xff8 + rng() % 8 : 0x100 + (rng() & 0x3ff);
      in.regs[kRCX] &= 0xff;
      in.regs[kRSP] = 0x800 + (rng() & 0x3f8);
      write_rflags(in, 0x202 | (rng() & kArith));
      CpuState a, b;
      engine::BlockExit ea, eb;
      h.run_both(f.bytes, in, &a, &b, &ea, &eb);
      ++cases;
      bool ok = ea == eb && same_state(a, b) && std::memcmp(h.mem_interp, h.mem_jit, sizeof(h.mem_interp)) == 0 &&
                h.exit_reason_interp == h.exit_reason_jit;
      if (!ok && ++mismatches <= 10)
        FAIL_CHECK(std::string(f.name) << ": regs " << (std::memcmp(a.regs, b.regs, sizeof(a.regs)) == 0) << " flags "
                          << (std::memcmp(a.flags, b.flags, 7) == 0) << " sys " << (a.rflags_system == b.rflags_system)
                          << " mem " << (std::memcmp(h.mem_interp, h.mem_jit, sizeof(h.mem_interp)) == 0) << " rdx " << std::hex << in.regs[kRDX] << " exits " << int(ea) << "/" << int(eb) << " rip "
                          << a.regs[kRIP] << "/" << b.regs[kRIP] << " fl " << read_rflags(a) << "/" << read_rflags(b) << " in " << read_rflags(in) << " rax " << a.regs[kRAX] << "/" << b.regs[kRAX]);
    }
  }
  MESSAGE("jit-vs-interpreter memory cases: " << cases << ", mismatches: " << mismatches);
  CHECK(mismatches == 0);
}
