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

  // Runs `code` (+hlt) from `in` through interpreter and JIT; returns both final states.
  void run_both(const std::vector<u8>& code, const CpuState& in, CpuState* via_interp, CpuState* via_jit,
                engine::BlockExit* exit_interp, engine::BlockExit* exit_jit) {
    std::vector<u8> bytes = code;
    bytes.push_back(0xf4);
    REQUIRE(test::translate(bytes, *block, 0x1000));
    ir::run_default_passes(*block);
    for (int pass = 0; pass < 2; ++pass) {
      std::memset(ram.data(), 0x5a, sizeof(mem_interp));  // same memory contents for both runs
      engine::Vcpu v{};
      softmmu::Mmu mmu(machine.memory, v.tlb);
      v.machine = &machine;
      v.mmu = &mmu;
      v.cpu = in;
      if (pass == 0) {
        *exit_interp = engine::interpret(v, &(*block)[0], block->size(), block->term);
        *via_interp = v.cpu;
      } else {
        engine::TranslationBlock tb{};
        REQUIRE(jit.install(*block, tb) == engine::ExecBackend::Install::kOk);
        *exit_jit = jit.execute(v, tb);
        *via_jit = v.cpu;
      }
      std::memcpy(pass == 0 ? mem_interp : mem_jit, ram.data(), sizeof(mem_interp));
    }
  }
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
      if (ea != eb || !same_state(a, b)) {
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
      bool ok = ea == eb && same_state(a, b) && std::memcmp(h.mem_interp, h.mem_jit, sizeof(h.mem_interp)) == 0;
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
