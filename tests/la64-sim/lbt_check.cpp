// Checks of the simulator's LBT against oracles that are not the simulator's own code:
//  1. setx86j: each of the 16 conditions on random eflags (loaded with x86mtflag) against the
//     host CPU's setcc on the same RFLAGS;
//  2. every flag-setting LBT instruction (x86add ... x86rcr, register and immediate forms, all
//     widths, x86inc/dec, x86mul) and the result-producing adc/sbc/rcr/rcri/rotr.b/h/rotri.b/h
//     against BMBT's IR interpreter running the corresponding x86 instruction (the interpreter
//     is itself proven against the CPU by tests/unit/test_flags_vs_cpu.cpp). This catches a
//     wrong mapping from LoongArch instruction to x86 operation or width, or wrong operands.
// Only flags the SDM defines for the form and inputs are compared.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "alu_forms.h"
#include "engine/interpreter.h"
#include "sim.h"
#include "translate_bytes.h"

using namespace bmbt;
using namespace bmbt::la64sim;
using la64::Gpr;
using la64::Op;

namespace {

// ---- 1. setx86j against the CPU

#define HOST_SETCC(name, cc)                                                                   \
  uint8_t name(uint64_t f) {                                                                    \
    uint8_t r;                                                                                  \
    asm volatile("lea -128(%%rsp), %%rsp\n\tpushq %[f]\n\tpopfq\n\tset" cc " %[r]\n\t"           \
                 "lea 128(%%rsp), %%rsp" : [r] "=q"(r) : [f] "r"(f) : "cc");                    \
    return r;                                                                                   \
  }
HOST_SETCC(set_a, "a") HOST_SETCC(set_ae, "ae") HOST_SETCC(set_b, "b") HOST_SETCC(set_be, "be")
HOST_SETCC(set_e, "e") HOST_SETCC(set_ne, "ne") HOST_SETCC(set_g, "g") HOST_SETCC(set_ge, "ge")
HOST_SETCC(set_l, "l") HOST_SETCC(set_le, "le") HOST_SETCC(set_s, "s") HOST_SETCC(set_ns, "ns")
HOST_SETCC(set_o, "o") HOST_SETCC(set_no, "no") HOST_SETCC(set_p, "p") HOST_SETCC(set_np, "np")
// In setx86j's condition order.
uint8_t (*const kHostSetcc[16])(uint64_t) = {set_a, set_ae, set_b, set_be, set_e, set_ne, set_g, set_ge,
                                             set_l, set_le, set_s, set_ns, set_o, set_no, set_p, set_np};

// Runs `words` at 0x10000 from the given registers; returns the simulator.
struct Program {
  std::vector<uint32_t> words;
  AddressSpace as;
  std::unique_ptr<Simulator> sim;
  explicit Program(std::vector<uint32_t> w) : words(std::move(w)) {
    as.map(0x10000, words.size() * 4, words.data(), false, true, "code");
    sim = std::make_unique<Simulator>(as);
  }
  bool run() {
    sim->s.pc = 0x10000;
    Stop st = sim->run(0x10000 + words.size() * 4, 100);
    if (st != Stop::kReachedStopPc) std::printf("simulator stopped: %s\n", sim->error().c_str());
    return st == Stop::kReachedStopPc;
  }
};

uint32_t word(la64::Encoded e) {
  if (!e.ok) std::printf("encoding failed: %s\n", e.error);
  return e.word;
}

int check_setx86j(std::mt19937_64& rng, int* cases) {
  int bad = 0;
  for (int cond = 0; cond < 16; ++cond) {
    Program p({word(la64::enc(Op::X86MTFLAG, Gpr{4}, 0x3f)), word(la64::enc(Op::SETX86J, Gpr{5}, cond)),
               word(la64::enc(Op::X86MFFLAG, Gpr{6}, 0x3f))});
    for (int n = 0; n < 200; ++n) {
      uint64_t f = rng() & kEflAll;
      p.sim->s.gpr[4] = f | (rng() & ~uint64_t(kEflAll));  // other bits must be ignored
      if (!p.run()) return bad + 1;
      ++*cases;
      uint64_t want = kHostSetcc[cond](0x2 | f);
      if (p.sim->s.gpr[5] != want || p.sim->s.gpr[6] != f) {
        if (++bad <= 5)
          std::printf("MISMATCH setx86j %d on eflags %03" PRIx64 ": sim %" PRIu64 " cpu %" PRIu64 " (mfflag %03" PRIx64 ")\n", cond, f,
                      p.sim->s.gpr[5], want, p.sim->s.gpr[6]);
      }
    }
  }
  return bad;
}

// ---- 2. LBT instructions against the interpreter

Op op_named(const std::string& name) {
  for (int i = 0; i < int(Op::kCount); ++i)
    if (name == la64::mnemonic(Op(i))) return Op(i);
  std::printf("no instruction %s in the table\n", name.c_str());
  return Op::kCount;
}

enum class Shape { kBinary, kUnary, kShiftReg, kShiftImm, kMul, kResultReg, kResultImm };
enum class Count { kNone, kShift, kRotate, kRotateCarry };

struct LbtCase {
  std::string mnemonic;   // e.g. "x86add.w"
  std::vector<uint8_t> x86;  // the x86 instruction: rax op= rdx / rax by cl / (r)ax * rdx
  int width;
  Shape shape;
  uint64_t defined;       // flags the SDM defines (before count rules)
  Count count;
};

std::vector<LbtCase> lbt_cases() {
  std::vector<LbtCase> out;
  const char* sfx[4] = {"b", "h", "w", "d"};
  const int widths[4] = {8, 16, 32, 64};
  using test::kArith;
  for (int wi = 0; wi < 4; ++wi) {
    std::vector<uint8_t> pre;
    if (wi == 1) pre = {0x66};
    if (wi == 3) pre = {0x48};
    const uint8_t wide = wi == 0 ? 0 : 1;
    auto bytes = [&](std::vector<uint8_t> tail) { std::vector<uint8_t> b = pre; b.insert(b.end(), tail.begin(), tail.end()); return b; };
    const std::string s = std::string(".") + sfx[wi];
    const int w = widths[wi];
    struct Bin { const char* lbt; uint8_t op; uint64_t flags; };
    const Bin bins[] = {{"x86add", 0x00, kArith}, {"x86or", 0x08, kArith & ~test::kAF}, {"x86adc", 0x10, kArith},
                        {"x86sbc", 0x18, kArith}, {"x86and", 0x20, kArith & ~test::kAF}, {"x86sub", 0x28, kArith},
                        {"x86xor", 0x30, kArith & ~test::kAF}};
    for (const Bin& b : bins) out.push_back({b.lbt + s, bytes({uint8_t(b.op + wide), 0xd0}), w, Shape::kBinary, b.flags, Count::kNone});
    out.push_back({"x86inc" + s, bytes({uint8_t(0xfe + wide), 0xc0}), w, Shape::kUnary, kArith & ~test::kCF, Count::kNone});
    out.push_back({"x86dec" + s, bytes({uint8_t(0xfe + wide), 0xc8}), w, Shape::kUnary, kArith & ~test::kCF, Count::kNone});
    struct Sh { const char* lbt; uint8_t modrm; Count count; uint64_t flags; };
    const Sh shifts[] = {{"sll", 0xe0, Count::kShift, kArith & ~test::kAF}, {"srl", 0xe8, Count::kShift, kArith & ~test::kAF},
                         {"sra", 0xf8, Count::kShift, kArith & ~test::kAF}, {"rotl", 0xc0, Count::kRotate, test::kCF | test::kOF},
                         {"rotr", 0xc8, Count::kRotate, test::kCF | test::kOF}, {"rcl", 0xd0, Count::kRotateCarry, test::kCF | test::kOF},
                         {"rcr", 0xd8, Count::kRotateCarry, test::kCF | test::kOF}};
    for (const Sh& sh : shifts) {
      std::vector<uint8_t> x = bytes({uint8_t(0xd2 + wide), sh.modrm});
      out.push_back({std::string("x86") + sh.lbt + s, x, w, Shape::kShiftReg, sh.flags, sh.count});
      std::string imm_name = std::string("x86") + sh.lbt;
      imm_name.insert(imm_name.size(), "i");
      out.push_back({imm_name + s, x, w, Shape::kShiftImm, sh.flags, sh.count});
    }
    out.push_back({"x86mul" + s, bytes({uint8_t(0xf6 + wide), 0xea}), w, Shape::kMul, test::kCF | test::kOF, Count::kNone});
    out.push_back({"x86mul" + s + "u", bytes({uint8_t(0xf6 + wide), 0xe2}), w, Shape::kMul, test::kCF | test::kOF, Count::kNone});
    // Result-producing base-format instructions (flags untouched: all compared against the input).
    out.push_back({"adc" + s, bytes({uint8_t(0x10 + wide), 0xd0}), w, Shape::kResultReg, 0, Count::kNone});
    out.push_back({"sbc" + s, bytes({uint8_t(0x18 + wide), 0xd0}), w, Shape::kResultReg, 0, Count::kNone});
    out.push_back({"rcr" + s, bytes({uint8_t(0xd2 + wide), 0xd8}), w, Shape::kResultReg, 0, Count::kRotateCarry});
    out.push_back({"rcri" + s, bytes({uint8_t(0xd2 + wide), 0xd8}), w, Shape::kResultImm, 0, Count::kRotateCarry});
    if (w <= 16) {
      out.push_back({"rotr" + s, bytes({uint8_t(0xd2 + wide), 0xc8}), w, Shape::kResultReg, 0, Count::kRotate});
      out.push_back({"rotri" + s, bytes({uint8_t(0xd2 + wide), 0xc8}), w, Shape::kResultImm, 0, Count::kRotate});
    }
  }
  return out;
}

// Flags the SDM defines after a shift/rotate by `count` (cl before masking).
uint64_t defined_after_count(const LbtCase& c, uint64_t count) {
  unsigned masked = unsigned(count) & (c.width == 64 ? 63 : 31);
  if (c.count == Count::kNone) return c.defined;
  if (masked == 0) return test::kArith;  // nothing changes: every flag is defined
  uint64_t d = c.defined;
  if (masked != 1) d &= ~test::kOF;
  if (c.count == Count::kShift && masked >= unsigned(c.width)) d &= ~test::kCF;
  return d;
}

int check_lbt_ops(std::mt19937_64& rng, int* cases) {
  devices::Machine machine;
  std::vector<u8> ram(1 << 16);
  machine.memory.attach_ram(ram.data(), ram.size());
  auto block = std::make_unique<ir::Block>();
  int bad = 0;
  for (const LbtCase& c : lbt_cases()) {
    Op op = op_named(c.mnemonic);
    if (op == Op::kCount) { ++bad; continue; }
    std::vector<uint8_t> x86 = c.x86;
    x86.push_back(0xf4);
    if (!test::translate(x86, *block, 0x1000)) { std::printf("cannot translate the x86 form of %s\n", c.mnemonic.c_str()); ++bad; continue; }
    const int imm_bits = c.width == 8 ? 3 : c.width == 16 ? 4 : c.width == 32 ? 5 : 6;
    for (int n = 0; n < 300; ++n) {
      CpuState in{};
      for (u64& r : in.regs) r = test::interesting(rng);
      uint64_t count = rng() % 4 == 0 ? rng() % 3 : rng() & 0xff;
      if (c.shape == Shape::kShiftImm || c.shape == Shape::kResultImm) count &= (1u << imm_bits) - 1;
      in.regs[kRCX] = count;
      uint64_t flags_in = rng() & test::kArith;
      write_rflags(in, 0x202 | flags_in);

      // The interpreter runs the x86 form.
      auto v = std::make_unique<engine::Vcpu>();
      softmmu::Mmu mmu(machine.memory, v->tlb);
      v->machine = &machine;
      v->mmu = &mmu;
      v->cpu = in;
      engine::interpret(*v, &(*block)[0], block->size(), block->term);
      const uint64_t want_flags = read_rflags(v->cpu) & test::kArith;
      const uint64_t mask = c.width == 64 ? ~0ull : (1ull << c.width) - 1;
      const uint64_t want_value = v->cpu.regs[kRAX] & mask;

      // The simulator runs x86mtflag; <lbt op>; x86mfflag with rax, rdx, rcx in $a0, $a1, $a2.
      std::vector<uint32_t> words = {word(la64::enc(Op::X86MTFLAG, Gpr{8}, 0x3f))};
      switch (c.shape) {
        case Shape::kBinary: case Shape::kMul: words.push_back(word(la64::enc(op, Gpr{4}, Gpr{5}))); break;
        case Shape::kUnary: words.push_back(word(la64::enc(op, Gpr{4}))); break;
        case Shape::kShiftReg: words.push_back(word(la64::enc(op, Gpr{4}, Gpr{6}))); break;
        case Shape::kShiftImm: words.push_back(word(la64::enc(op, Gpr{4}, count))); break;
        case Shape::kResultReg:
          words.push_back(word(la64::enc(op, Gpr{7}, Gpr{4}, c.count == Count::kNone ? Gpr{5} : Gpr{6})));
          break;
        case Shape::kResultImm: words.push_back(word(la64::enc(op, Gpr{7}, Gpr{4}, count))); break;
      }
      words.push_back(word(la64::enc(Op::X86MFFLAG, Gpr{9}, 0x3f)));
      Program p(words);
      p.sim->s.gpr[4] = in.regs[kRAX];
      p.sim->s.gpr[5] = in.regs[kRDX];
      p.sim->s.gpr[6] = in.regs[kRCX];
      p.sim->s.gpr[8] = flags_in;
      if (!p.run()) { ++bad; break; }
      ++*cases;
      const bool result_op = c.shape == Shape::kResultReg || c.shape == Shape::kResultImm;
      // Result ops leave eflags alone; flag ops write no GPR.
      const uint64_t defined = result_op ? test::kArith : defined_after_count(c, count);
      const uint64_t got_flags = p.sim->s.gpr[9];
      bool ok = (got_flags & defined) == ((result_op ? flags_in : want_flags) & defined);
      if (result_op) {
        const uint64_t m = uint64_t(1) << (c.width - 1);
        const uint64_t sign_extended = c.width == 64 ? want_value : (want_value ^ m) - m;
        ok = ok && p.sim->s.gpr[7] == sign_extended;
      } else {
        ok = ok && p.sim->s.gpr[4] == in.regs[kRAX] && p.sim->s.gpr[5] == in.regs[kRDX] && p.sim->s.gpr[6] == in.regs[kRCX];
      }
      if (!ok && ++bad <= 10)
        std::printf("MISMATCH %s: rax %016" PRIx64 " rdx %016" PRIx64 " count %" PRIu64 " flags in %03" PRIx64
                    " -> interp flags %03" PRIx64 " value %" PRIx64 " | sim flags %03" PRIx64 " $a3 %" PRIx64 " (compared %03" PRIx64 ")\n",
                    c.mnemonic.c_str(), in.regs[kRAX], in.regs[kRDX], count, flags_in, want_flags, want_value, got_flags,
                    p.sim->s.gpr[7], defined);
    }
  }
  return bad;
}

}  // namespace

int main() {
  std::mt19937_64 rng(5);
  int setj_cases = 0, op_cases = 0;
  int bad = check_setx86j(rng, &setj_cases);
  bad += check_lbt_ops(rng, &op_cases);
  std::printf("LBT checks: %d setx86j cases against the CPU, %d LBT instruction cases against the interpreter, %d mismatches\n",
              setj_cases, op_cases, bad);
  return bad == 0 ? 0 : 1;
}
