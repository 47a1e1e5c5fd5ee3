// Executes assembler output on LoongArch64 (qemu-loongarch64 in the la64-linux build): the CPU is the
// oracle, our encoder only produces the words.
//   constants  materialize_constant()/li for every edge value and 10,000 random ones, each in its own
//              function "move rd, a1 (garbage); li rd, value; move a0, rd; ret", called and checked.
//   branches   every branch format through labels, forward and backward, short and far
//              (branch_far over more than the short reach, jump_long/call_long over more than 128 MiB),
//              taken and not taken, compared with the same comparison done in C++; a counted loop;
//              call_to a C++ function.
// Exit status is non-zero on any mismatch.
#include <sys/mman.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "backend-la64/assembler.h"
#include "backend-la64/disasm.h"
#include "constant_values.h"

using namespace bmbt;
using namespace bmbt::la64;

namespace {

long g_cases = 0, g_fail = 0;

void check(bool ok, const std::string& what) {
  ++g_cases;
  if (!ok && ++g_fail <= 40) std::fprintf(stderr, "FAIL: %s\n", what.c_str());
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%016llx", (unsigned long long)v);
  return b;
}

// Read/write/execute memory for generated code.
struct CodeMemory {
  u32* words = nullptr;
  size_t bytes = 0;
  explicit CodeMemory(size_t n) : bytes(n) {
    void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) words = static_cast<u32*>(p);
  }
  ~CodeMemory() { if (words) munmap(words, bytes); }
  void flush(size_t nwords) const {
    __builtin___clear_cache(reinterpret_cast<char*>(words), reinterpret_cast<char*>(words + nwords));
  }
};

using Fn2 = uint64_t (*)(uint64_t, uint64_t);
Fn2 fn_at(const CodeMemory& m, size_t word) { return reinterpret_cast<Fn2>(m.words + word); }

constexpr Gpr kZero{0}, kRa{1}, kSp{3}, kA0{4}, kA1{5}, kT0{12};

void ret(Assembler& as) { as.emit(Op::JIRL, kZero, kRa, 0); }

// ---------------------------------------------------------------- constants
void check_constants() {
  std::vector<uint64_t> values = constant_test_values();
  CodeMemory mem(values.size() * 8 * 4);
  if (!mem.words) { check(false, "mmap"); return; }
  Assembler as(mem.words, mem.bytes / 4);
  std::vector<size_t> entry;
  long words = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const Gpr rd{uint8_t(4 + i % 17)};  // $a0..$t8, the registers a caller does not expect preserved
    entry.push_back(as.size());
    as.move(rd, kA1);  // whatever the register held before must not matter
    size_t before = as.size();
    as.li(rd, values[i]);
    words += long(as.size() - before);
    check(as.size() - before >= 1 && as.size() - before <= 4, "li " + hex(values[i]) + ": instruction count");
    as.move(kA0, rd);
    ret(as);
  }
  check(as.ok(), std::string("assembling constants: ") + (as.error() ? as.error() : ""));
  mem.flush(as.size());
  for (size_t i = 0; i < values.size(); ++i) {
    uint64_t garbage = ~values[i] ^ (uint64_t(i) * 0x9e3779b97f4a7c15ull);
    uint64_t got = fn_at(mem, entry[i])(garbage, garbage);
    if (got != values[i]) {
      std::string text;
      for (size_t w = entry[i]; w < (i + 1 < entry.size() ? entry[i + 1] : as.size()); ++w) {
        FixedText<96> t;
        disassemble(mem.words[w], t);
        text += std::string(" | ") + t.c_str();
      }
      check(false, "li " + hex(values[i]) + " returned " + hex(got) + ":" + text);
    } else {
      check(true, "");
    }
  }
  std::printf("  constants: %zu values executed, %.2f instructions on average\n", values.size(),
              double(words) / double(values.size()));
}

// ---------------------------------------------------------------- branches
enum class Shape { kReg2, kReg1, kFcc, kUncond };
struct BranchKind { Op op; Shape shape; const char* name; };
constexpr BranchKind kBranches[] = {
    {Op::BEQ, Shape::kReg2, "beq"},     {Op::BNE, Shape::kReg2, "bne"},   {Op::BLT, Shape::kReg2, "blt"},
    {Op::BGE, Shape::kReg2, "bge"},     {Op::BLTU, Shape::kReg2, "bltu"}, {Op::BGEU, Shape::kReg2, "bgeu"},
    {Op::BEQZ, Shape::kReg1, "beqz"},   {Op::BNEZ, Shape::kReg1, "bnez"}, {Op::BCEQZ, Shape::kFcc, "bceqz"},
    {Op::BCNEZ, Shape::kFcc, "bcnez"},
};

bool expected_taken(Op op, uint64_t a, uint64_t b) {
  switch (op) {
    case Op::BEQ: return a == b;
    case Op::BNE: return a != b;
    case Op::BLT: return int64_t(a) < int64_t(b);
    case Op::BGE: return int64_t(a) >= int64_t(b);
    case Op::BLTU: return a < b;
    case Op::BGEU: return a >= b;
    case Op::BEQZ: return a == 0;
    case Op::BNEZ: return a != 0;
    case Op::BCEQZ: return (a & 1) == 0;  // $fcc0 = a0 & 1 (movgr2cf)
    case Op::BCNEZ: return (a & 1) != 0;
    default: return false;
  }
}

// Emits the branch of `k` on (a0, a1) to `target`, short or far.
void emit_branch(Assembler& as, const BranchKind& k, Label& target, bool far) {
  switch (k.shape) {
    case Shape::kReg2:
      if (far) as.branch_far(k.op, target, kA0, kA1); else as.branch(k.op, target, kA0, kA1);
      break;
    case Shape::kReg1:
      if (far) as.branch_far(k.op, target, kA0); else as.branch(k.op, target, kA0);
      break;
    case Shape::kFcc:
      if (far) as.branch_far(k.op, target, Fcc{0}); else as.branch(k.op, target, Fcc{0});
      break;
    case Shape::kUncond:
      if (far) as.branch_far(k.op, target); else as.branch(k.op, target);
      break;
  }
}

// Reach of a branch (bytes): the padding needed to be just out of it.
usize reach_words(const BranchKind& k) { return k.shape == Shape::kReg2 ? (1u << 17) / 4 : (1u << 22) / 4; }

// f(a0, a1) = branch taken ? 1 : 0, with the target after (forward) or before (backward) the branch,
// separated by `gap` words of padding.  Returns the entry word index.
size_t build_condition(Assembler& as, const BranchKind& k, bool backward, bool far, usize gap) {
  Label taken, start;
  auto taken_block = [&] {
    as.bind(taken);
    as.emit(Op::ORI, kA0, kZero, 1);
    ret(as);
  };
  size_t entry = as.size();
  if (backward) {
    as.branch(Op::B, start);
    taken_block();
    as.pad(gap);
    as.bind(start);
  }
  if (k.shape == Shape::kFcc) as.emit(Op::MOVGR2CF, Fcc{0}, kA0);
  emit_branch(as, k, taken, far);
  as.emit(Op::ORI, kA0, kZero, 0);
  ret(as);
  if (!backward) {
    as.pad(gap);
    taken_block();
  }
  return entry;
}

void check_conditions(CodeMemory& mem) {
  const uint64_t vals[] = {0, 1, 2, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 0xfffffffeull, 5};
  for (const BranchKind& k : kBranches) {
    for (int variant = 0; variant < 4; ++variant) {
      const bool backward = variant & 1, far = variant & 2;
      // The far variants put more than the short reach between branch and target.
      const usize gap = far ? reach_words(k) + 16 : 3;
      std::string what = std::string(k.name) + (backward ? " backward" : " forward") + (far ? " far" : "");
      if (std::getenv("LA64_EXEC_VERBOSE")) std::fprintf(stderr, "%s\n", what.c_str());
      // A short branch across the far gap must be refused, not mis-encoded.
      if (far) {  // (built first: the code run below overwrites it)
        Assembler bad(mem.words, mem.bytes / 4);
        build_condition(bad, k, backward, false, gap);
        check(!bad.ok(), what + ": the short form across the gap was accepted");
      }
      Assembler as(mem.words, mem.bytes / 4);
      size_t entry = build_condition(as, k, backward, far, gap);
      check(as.ok(), what + ": " + (as.error() ? as.error() : ""));
      if (!as.ok()) continue;
      mem.flush(as.size());
      Fn2 f = fn_at(mem, entry);
      for (uint64_t a : vals)
        for (uint64_t b : vals) {
          uint64_t got = f(a, b);
          check(got == uint64_t(expected_taken(k.op, a, b)), what + " a0=" + hex(a) + " a1=" + hex(b) +
                                                                 " returned " + std::to_string(got));
        }
    }
  }
}

// sum(n) = n + (n-1) + ... + 1 with a backward bnez and a forward beqz for n == 0.
void check_loop(CodeMemory& mem) {
  Assembler as(mem.words, mem.bytes / 4);
  Label loop, done;
  const Gpr sum{6};
  as.emit(Op::OR, sum, kZero, kZero);
  as.branch(Op::BEQZ, done, kA0);
  as.bind(loop);
  as.emit(Op::ADD_D, sum, sum, kA0);
  as.emit(Op::ADDI_D, kA0, kA0, -1);
  as.branch(Op::BNEZ, loop, kA0);
  as.bind(done);
  as.move(kA0, sum);
  ret(as);
  check(as.ok(), "loop assembles");
  mem.flush(as.size());
  for (uint64_t n : {0ull, 1ull, 2ull, 10ull, 1000ull})
    check(fn_at(mem, 0)(n, 0) == n * (n + 1) / 2, "loop sum " + std::to_string(n));
}

// b/bl across a gap: bl to a far function that returns 42, b back and forth.
void check_b_bl(CodeMemory& mem, bool far_gap) {
  Assembler as(mem.words, mem.bytes / 4);
  Label fn, back, out;
  as.emit(Op::ADDI_D, kSp, kSp, -16);
  as.emit(Op::ST_D, kRa, kSp, 8);
  as.branch(Op::BL, fn);        // forward bl
  as.emit(Op::ORI, Gpr{6}, kA0, 0);
  as.branch(Op::B, out);        // forward b
  as.bind(back);
  as.emit(Op::ADDI_D, kA0, Gpr{6}, 1);
  as.emit(Op::LD_D, kRa, kSp, 8);
  as.emit(Op::ADDI_D, kSp, kSp, 16);
  ret(as);
  as.pad(far_gap ? (1u << 22) / 4 + 8 : 2);
  as.bind(fn);
  as.emit(Op::ORI, kA0, kZero, 42);
  ret(as);
  as.bind(out);
  as.branch(Op::B, back);       // backward b
  check(as.ok(), "b/bl assemble");
  mem.flush(as.size());
  check(fn_at(mem, 0)(0, 0) == 43, std::string("b/bl") + (far_gap ? " across 4 MiB" : ""));
}

// jump_long / call_long across more than b's 128 MiB reach.
void check_long(CodeMemory& mem) {
  const usize gap = (usize(1) << 27) / 4 + 1024;
  // b cannot span this gap: it must be refused (built first: the code run below overwrites it).
  {
    Assembler bad(mem.words, mem.bytes / 4);
    Label l;
    bad.branch(Op::B, l);
    bad.pad(gap);
    bad.bind(l);
    check(!bad.ok(), "b across more than 128 MiB was accepted");
  }
  Assembler as(mem.words, mem.bytes / 4);
  Label far_fn, far_back, back;
  as.emit(Op::ADDI_D, kSp, kSp, -16);
  as.emit(Op::ST_D, kRa, kSp, 8);
  as.call_long(far_fn, kT0);              // forward call
  as.emit(Op::ORI, Gpr{6}, kA0, 0);
  as.jump_long(far_back, Gpr{13});        // forward jump
  as.bind(back);
  as.emit(Op::ADDI_D, kA0, Gpr{6}, 1000);
  as.emit(Op::LD_D, kRa, kSp, 8);
  as.emit(Op::ADDI_D, kSp, kSp, 16);
  ret(as);
  as.pad(gap);
  as.bind(far_fn);
  as.emit(Op::ORI, kA0, kZero, 7);
  ret(as);
  as.bind(far_back);
  as.jump_long(back, kT0);                // backward jump
  check(as.ok(), std::string("long jumps assemble: ") + (as.error() ? as.error() : ""));
  mem.flush(as.size());
  check(fn_at(mem, 0)(0, 0) == 1007, "call_long/jump_long across " + std::to_string(gap * 4 >> 20) + " MiB");
}

uint64_t host_function(uint64_t a, uint64_t b) { return a * 3 + b; }

// call_to an absolute address (a C++ function; usually much further than 128 GiB away from mmap memory).
void check_call_to(CodeMemory& mem) {
  Assembler as(mem.words, mem.bytes / 4);
  as.emit(Op::ADDI_D, kSp, kSp, -16);
  as.emit(Op::ST_D, kRa, kSp, 8);
  const uint64_t target = uint64_t(reinterpret_cast<uintptr_t>(&host_function));
  const size_t before = as.size();
  as.call_to(target, kT0);
  std::printf("  call_to: %zu words for a distance of %lld bytes\n", as.size() - before,
              (long long)(target - as.address_of(before)));
  as.emit(Op::ADDI_D, kA0, kA0, 1);
  as.emit(Op::LD_D, kRa, kSp, 8);
  as.emit(Op::ADDI_D, kSp, kSp, 16);
  ret(as);
  check(as.ok(), "call_to assembles");
  mem.flush(as.size());
  check(fn_at(mem, 0)(5, 2) == 18, "call_to a C++ function");
}

}  // namespace

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "all";
  if (what == "constants" || what == "all") check_constants();
  if (what == "branches" || what == "all") {
    CodeMemory mem((usize(1) << 27) + (usize(8) << 20));
    if (!mem.words) { std::fprintf(stderr, "mmap of the code area failed\n"); return 2; }
    check_conditions(mem);
    check_loop(mem);
    check_b_bl(mem, false);
    check_b_bl(mem, true);
    check_long(mem);
    check_call_to(mem);
    std::printf("  branches: every branch format short/far, forward/backward; loop; b/bl; long jumps; call_to\n");
  }
  std::printf("la64-exec: %ld checks, %ld failures\n", g_cases, g_fail);
  return g_fail ? 1 : 0;
}
