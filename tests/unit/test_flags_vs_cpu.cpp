// x86 semantics against the real CPU: each instruction runs natively (in an executable page,
// registers and RFLAGS loaded from a struct around it) and through frontend + passes + IR
// interpreter; destination, source, count registers and the defined flags must match.
// A preview of the full differential tester (issue 4), covering the skeleton's ALU forms.
#include <doctest/doctest.h>
#include <sys/mman.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/interpreter.h"
#include "ir/passes/passes.h"
#include "alu_forms.h"
#include "translate_bytes.h"

using namespace bmbt;

namespace {

struct Regs { u64 rax, rdx, rcx, rflags; };

using namespace bmbt::test;

// Runs `insn` natively with rax/rdx/rcx/rflags from `r`.
class NativeRunner {
 public:
  NativeRunner() {
    page_ = static_cast<u8*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  }
  ~NativeRunner() { munmap(page_, 4096); }
  void run(const std::vector<u8>& insn, Regs& r) {
    std::vector<u8> code = {0x48, 0x8b, 0x07, 0x48, 0x8b, 0x57, 0x08, 0x48, 0x8b, 0x4f, 0x10,  // load rax rdx rcx
                            0xff, 0x77, 0x18, 0x9d};                                           // push [rdi+24]; popfq
    code.insert(code.end(), insn.begin(), insn.end());
    const u8 tail[] = {0x9c, 0x8f, 0x47, 0x18, 0x48, 0x89, 0x07, 0x48, 0x89, 0x57, 0x08, 0x48, 0x89, 0x4f, 0x10, 0xc3};
    code.insert(code.end(), tail, tail + sizeof(tail));
    std::memcpy(page_, code.data(), code.size());
    reinterpret_cast<void (*)(Regs*)>(page_)(&r);
  }

 private:
  u8* page_;
};

// Runs `insn` through BMBT's frontend, passes and interpreter.
void run_translated(const std::vector<u8>& insn, Regs& r) {
  static auto block = std::make_unique<ir::Block>();
  std::vector<u8> code = insn;
  code.push_back(0xf4);  // hlt ends the block
  REQUIRE(test::translate(code, *block, 0x1000));
  ir::run_default_passes(*block);
  engine::Vcpu v{};
  v.cpu.regs[kRAX] = r.rax;
  v.cpu.regs[kRDX] = r.rdx;
  v.cpu.regs[kRCX] = r.rcx;
  write_rflags(v.cpu, r.rflags);
  engine::BlockExit e = engine::interpret(v, &(*block)[0], block->size(), block->term);
  REQUIRE(e == engine::BlockExit::kExitReason);
  r.rax = v.cpu.regs[kRAX];
  r.rdx = v.cpu.regs[kRDX];
  r.rcx = v.cpu.regs[kRCX];
  r.rflags = read_rflags(v.cpu);
}

}  // namespace

TEST_CASE("ALU, shift and multiply forms match the host CPU (registers and defined flags)") {
  NativeRunner native;
  std::mt19937_64 rng(20261122);
  int cases = 0, mismatches = 0;
  for (const Form& f : forms()) {
    for (int n = 0; n < 600; ++n) {
      Regs in{interesting(rng), interesting(rng), f.shift ? (rng() % 4 == 0 ? rng() % 3 : rng() & 0xff) : interesting(rng),
              0x202 | (rng() & kArith)};
      Regs a = in, b = in;
      native.run(f.bytes, a);
      run_translated(f.bytes, b);
      u64 mask = defined_flags(f, in.rcx);
      ++cases;
      bool ok = a.rax == b.rax && a.rdx == b.rdx && a.rcx == b.rcx && (a.rflags & mask) == (b.rflags & mask);
      if (!ok && ++mismatches <= 10) {
        char msg[400];
        std::snprintf(msg, sizeof msg,
                      "%s: in rax=%llx rdx=%llx rcx=%llx fl=%llx | cpu rax=%llx rdx=%llx fl=%llx | bmbt rax=%llx rdx=%llx fl=%llx (mask %llx)",
                      f.name.c_str(), (unsigned long long)in.rax, (unsigned long long)in.rdx, (unsigned long long)in.rcx,
                      (unsigned long long)in.rflags, (unsigned long long)a.rax, (unsigned long long)a.rdx,
                      (unsigned long long)a.rflags, (unsigned long long)b.rax, (unsigned long long)b.rdx,
                      (unsigned long long)b.rflags, (unsigned long long)mask);
        FAIL_CHECK(msg);
      }
    }
  }
  MESSAGE("native-vs-bmbt ALU cases: " << cases << ", mismatches: " << mismatches);
  CHECK(mismatches == 0);
}
