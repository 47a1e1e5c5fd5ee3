// A LoongArch64 user-level instruction simulator for tests (never part of BMBT itself).
//
// Why it exists: no emulator implements LBT, so the LBT flag strategy can only be executed here;
// and it lets translated code run on the x86-64 development host. Instructions are decoded with
// BMBT's own table decoder (backend-la64/encoding.h) so the instruction set is written down once;
// the semantics are this file's code, from the LoongArch reference manual. LBT flag effects are
// not computed by formulas of ours but by executing the equivalent x86 instruction on the host
// CPU (host_x86.h). The base ISA is cross-checked against qemu-loongarch64 (qemu_crosscheck.cpp).
// See docs/la64-simulator.md.
#pragma once
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "backend-la64/encoding.h"

namespace bmbt::la64sim {

// The simulator's address space: a list of regions, each backed by host memory. A region may be
// mapped at its own host address (1:1, e.g. a real engine::Vcpu) or anywhere else.
struct Region {
  uint64_t base;
  uint64_t size;
  uint8_t* host;
  bool writable;
  bool executable;
  std::string name;
};

class AddressSpace {
 public:
  void map(uint64_t base, uint64_t size, void* host, bool writable, bool executable, std::string name);
  // Maps host memory at its own address.
  void map_identity(void* host, uint64_t size, bool writable, bool executable, std::string name) {
    map(uint64_t(reinterpret_cast<uintptr_t>(host)), size, host, writable, executable, std::move(name));
  }
  // The host bytes behind [addr, addr+size), or nullptr if not entirely inside one region.
  uint8_t* translate(uint64_t addr, uint64_t size, bool for_write) const;
  bool executable(uint64_t addr) const;
  bool load(uint64_t addr, int size, uint64_t* value) const;
  bool store(uint64_t addr, int size, uint64_t value) const;
  const std::vector<Region>& regions() const { return regions_; }

 private:
  const Region* find(uint64_t addr, uint64_t size) const;
  std::vector<Region> regions_;
};

// x86 flag bits as LBT's eflags register holds them (the x86 positions).
constexpr uint32_t kEflCF = 0x001, kEflPF = 0x004, kEflAF = 0x010, kEflZF = 0x040, kEflSF = 0x080, kEflOF = 0x800;
constexpr uint32_t kEflAll = kEflCF | kEflPF | kEflAF | kEflZF | kEflSF | kEflOF;

struct State {
  uint64_t gpr[32];
  uint64_t pc;
  // LBT state.
  uint32_t eflags;   // only kEflAll bits
  uint64_t scr[4];
  uint32_t ftop;     // x87 TOP, 3 bits
};

enum class Stop : uint8_t {
  kRunning,
  kReachedStopPc,   // run() arrived at the requested PC
  kStepLimit,
  kUndecodable,     // word not in BMBT's table
  kUnsupported,     // decoded, but no semantics here (FP, LSX, privileged, unknown LBT variants)
  kMemFault,        // access outside every region (or a store to a read-only one)
  kFetchFault,      // PC outside executable regions and no host call handled it
  kTrap,            // break / syscall
};
const char* stop_name(Stop s);

class Simulator {
 public:
  explicit Simulator(AddressSpace& mem) : mem_(mem) { std::memset(&s, 0, sizeof(s)); }

  State s;

  // Called when PC leaves every executable region (e.g. `jirl $ra, $r21, 0` to a host function).
  // Returns true if it handled the call (it must then set s.pc, normally to s.gpr[1]).
  std::function<bool(Simulator&)> on_foreign_pc;

  // Executes one instruction. Returns kRunning or the reason it could not.
  Stop step();
  // Steps until PC == stop_pc (kReachedStopPc), an error, or max_steps instructions.
  Stop run(uint64_t stop_pc, uint64_t max_steps);

  uint64_t steps() const { return steps_; }
  // Text describing the last stop (instruction word, address, what failed).
  const std::string& error() const { return error_; }
  // Instruction counts per mnemonic index (bmbt::la64::Op), for coverage reports.
  const std::vector<uint64_t>& op_counts() const { return op_counts_; }

 private:
  Stop fail(Stop why, const char* what, uint32_t word);
  Stop exec(const la64::Decoded& d, uint32_t word);
  Stop exec_lbt(const la64::Decoded& d, uint32_t word, bool* handled);
  uint64_t r(const la64::Decoded& d, int i) const { return s.gpr[d.ops[i].value & 31]; }
  void w(const la64::Decoded& d, int i, uint64_t v) {
    int n = int(d.ops[i].value & 31);
    if (n) s.gpr[n] = v;
  }
  int64_t imm(const la64::Decoded& d, int i) const { return d.ops[i].value; }

  AddressSpace& mem_;
  uint64_t steps_ = 0;
  std::string error_;
  std::vector<uint64_t> op_counts_ = std::vector<uint64_t>(size_t(la64::Op::kCount));
};

// setx86j's condition `cond` (0..15) on LBT eflags.
bool lbt_condition(int cond, uint32_t eflags);

// Register numbers by ABI name, for readable tests.
enum Reg : uint8_t { kZero = 0, kRa = 1, kTp = 2, kSp = 3, kA0 = 4, kA1, kA2, kA3, kA4, kA5, kA6, kA7,
                     kT0 = 12, kT1, kT2, kT3, kT4, kT5, kT6, kT7, kT8, kR21 = 21, kFp = 22,
                     kS0 = 23, kS1, kS2, kS3, kS4, kS5, kS6, kS7, kS8 };

}  // namespace bmbt::la64sim
