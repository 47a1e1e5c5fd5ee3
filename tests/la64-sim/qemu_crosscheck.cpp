// Base-ISA cross-check: random instruction sequences (encoded with BMBT's encoder) run in the
// simulator and natively under qemu-loongarch64 (la64_runner.c); every register and the data
// buffer must agree afterwards.
//
//   la64_sim_vs_qemu --runner PATH [--qemu PATH] [--cases N] [--seed S] [--batch N]
//
// Sequences mix every base instruction the JIT and its trampoline emit (and their relatives):
// register and immediate arithmetic, logic, shifts, multiply/divide, bit manipulation, constant
// building, PC-relative adds, loads and stores of every width against a 512-byte buffer
// addressed from $sp, and forward branches, bl and jirl. Divisors are made non-zero (and .w
// divide inputs sign-extended) first, because the manual leaves those results unspecified.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "sim.h"

using namespace bmbt;
using namespace bmbt::la64sim;
using la64::Op;
using la64::Operand;

namespace {

// Must match la64_runner.c.
constexpr uint64_t kCodeBase = 0x20000000, kCodeSlotBytes = 4096;
constexpr uint64_t kDataBase = 0x30000000, kDataBytes = 512;
constexpr uint64_t kContextBase = 0x38000000, kContextBytes = 1024;
constexpr int kDataReg = 3;  // $sp points into the middle of the data buffer during a sequence
constexpr int64_t kDataBias = 256;

struct Insn {
  Op op;
  Operand ops[4];
  int count;
  int target_item = -1;  // branches: the item they go to (offset resolved at layout)
  int target_slot = -1;  // which operand holds the offset
  int base_of = -1;      // jirl: index (within its item) of the pcaddi giving the base address
};
using Item = std::vector<Insn>;

struct Case {
  uint64_t regs[32];
  uint8_t data[kDataBytes];
  std::vector<uint32_t> words;
  size_t test_begin, test_end;  // word indices of the sequence within `words`
  std::string listing;
};

// ---- instruction choice

const Op kRegOps[] = {
    Op::ADD_W, Op::ADD_D, Op::SUB_W, Op::SUB_D, Op::SLT, Op::SLTU, Op::MASKEQZ, Op::MASKNEZ, Op::NOR, Op::AND,
    Op::OR, Op::XOR, Op::ORN, Op::ANDN, Op::SLL_W, Op::SRL_W, Op::SRA_W, Op::SLL_D, Op::SRL_D, Op::SRA_D,
    Op::ROTR_W, Op::ROTR_D, Op::MUL_W, Op::MULH_W, Op::MULH_WU, Op::MUL_D, Op::MULH_D, Op::MULH_DU,
    Op::MULW_D_W, Op::MULW_D_WU, Op::EXT_W_B, Op::EXT_W_H, Op::CLO_W, Op::CLZ_W, Op::CTO_W, Op::CTZ_W,
    Op::CLO_D, Op::CLZ_D, Op::CTO_D, Op::CTZ_D, Op::REVB_2H, Op::REVB_4H, Op::REVB_2W, Op::REVB_D,
    Op::REVH_2W, Op::REVH_D, Op::BITREV_4B, Op::BITREV_8B, Op::BITREV_W, Op::BITREV_D, Op::ADDI_W,
    Op::ADDI_D, Op::SLTI, Op::SLTUI, Op::LU52I_D, Op::ANDI, Op::ORI, Op::XORI, Op::ADDU16I_D, Op::ALSL_W,
    Op::ALSL_WU, Op::ALSL_D, Op::BYTEPICK_W, Op::BYTEPICK_D, Op::LU12I_W, Op::LU32I_D, Op::PCADDI,
    Op::PCALAU12I, Op::PCADDU12I, Op::PCADDU18I, Op::SLLI_W, Op::SRLI_W, Op::SRAI_W, Op::ROTRI_W, Op::SLLI_D,
    Op::SRLI_D, Op::SRAI_D, Op::ROTRI_D, Op::BSTRINS_W, Op::BSTRPICK_W, Op::BSTRINS_D, Op::BSTRPICK_D};
const Op kDivOps[] = {Op::DIV_W, Op::MOD_W, Op::DIV_WU, Op::MOD_WU, Op::DIV_D, Op::MOD_D, Op::DIV_DU, Op::MOD_DU};
struct MemOp { Op op; int size; };
const MemOp kMemImmOps[] = {{Op::LD_B, 1},  {Op::LD_H, 2},  {Op::LD_W, 4},  {Op::LD_D, 8},  {Op::LD_BU, 1},
                            {Op::LD_HU, 2}, {Op::LD_WU, 4}, {Op::ST_B, 1},  {Op::ST_H, 2},  {Op::ST_W, 4},
                            {Op::ST_D, 8},  {Op::LDPTR_W, 4}, {Op::LDPTR_D, 8}, {Op::STPTR_W, 4}, {Op::STPTR_D, 8}};
const MemOp kMemRegOps[] = {{Op::LDX_B, 1}, {Op::LDX_H, 2}, {Op::LDX_W, 4},  {Op::LDX_D, 8}, {Op::LDX_BU, 1},
                            {Op::LDX_HU, 2}, {Op::LDX_WU, 4}, {Op::STX_B, 1}, {Op::STX_H, 2}, {Op::STX_W, 4},
                            {Op::STX_D, 8}};
const Op kBranch2[] = {Op::BEQ, Op::BNE, Op::BLT, Op::BGE, Op::BLTU, Op::BGEU};

template <class T, size_t N>
const T& pick(std::mt19937_64& rng, const T (&a)[N]) { return a[rng() % N]; }

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  uint64_t value() {
    static const uint64_t kEdges[] = {0, 1, 2, 3, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                      0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
                                      0x8000000000000000, ~0ull, ~0ull - 1, 0xffffffff80000000};
    switch (rng_() % 5) {
      case 0: return kEdges[rng_() % (sizeof(kEdges) / sizeof(kEdges[0]))];
      case 1: return rng_() & 0xff;
      case 2: return uint64_t(int64_t(int32_t(rng_())));
      default: return rng_();
    }
  }
  // Any register but the data pointer; $zero now and then (writes to it must vanish).
  int dest() {
    if (rng_() % 16 == 0) return 0;
    int r;
    do r = 1 + int(rng_() % 31); while (r == kDataReg);
    return r;
  }
  int scratch() {  // a destination that is a real register
    int r;
    do r = 1 + int(rng_() % 31); while (r == kDataReg);
    return r;
  }
  int source() { return int(rng_() % 32); }

  // One instruction of `op` with random operands drawn from the format table.
  Insn random_form(Op op) {
    const la64::FormatDesc& f = la64::format_desc(la64::format_of(op));
    Insn in{op, {}, f.count};
    for (int i = 0; i < f.count; ++i) {
      const la64::FieldDesc& fd = f.ops[i];
      if (fd.kind == la64::OperandKind::kGpr) {
        in.ops[i] = la64::Gpr{u8(i == 0 ? dest() : source())};
      } else {
        int64_t lo = la64::imm_min(fd), hi = la64::imm_max(fd);
        int64_t step = int64_t(1) << fd.shift;
        int64_t n = (hi - lo) / step + 1;
        int64_t v = rng_() % 4 == 0 ? (rng_() % 2 ? lo : hi) : lo + int64_t(rng_() % uint64_t(n)) * step;
        in.ops[i] = Operand(v);
      }
    }
    if (f.check == la64::Check::kMsbLsb && in.ops[2].value < in.ops[3].value) std::swap(in.ops[2], in.ops[3]);
    return in;
  }

  Item item(int index, int item_count) {
    Item it;
    unsigned kind = unsigned(rng_() % 100);
    if (kind < 55) {
      it.push_back(random_form(pick(rng_, kRegOps)));
    } else if (kind < 62) {
      // Divide: non-zero divisor; for .w forms sign-extended inputs.
      Op op = pick(rng_, kDivOps);
      bool word = op == Op::DIV_W || op == Op::MOD_W || op == Op::DIV_WU || op == Op::MOD_WU;
      int a = scratch(), b = scratch();
      while (b == a) b = scratch();
      it.push_back(Insn{Op::ORI, {la64::Gpr{u8(b)}, la64::Gpr{u8(source())}, 1}, 3});
      if (word) {
        it.push_back(Insn{Op::ADDI_W, {la64::Gpr{u8(b)}, la64::Gpr{u8(b)}, 0}, 3});
        it.push_back(Insn{Op::ADDI_W, {la64::Gpr{u8(a)}, la64::Gpr{u8(source())}, 0}, 3});
      }
      it.push_back(Insn{op, {la64::Gpr{u8(dest())}, la64::Gpr{u8(word || rng_() % 2 ? a : source())}, la64::Gpr{u8(b)}}, 3});
    } else if (kind < 74) {
      const MemOp& m = pick(rng_, kMemImmOps);
      bool scaled = m.op == Op::LDPTR_W || m.op == Op::LDPTR_D || m.op == Op::STPTR_W || m.op == Op::STPTR_D;
      int64_t off = int64_t(rng_() % (kDataBytes - m.size + 1)) - kDataBias;
      if (scaled) off &= ~int64_t(3);
      bool is_store = m.op == Op::ST_B || m.op == Op::ST_H || m.op == Op::ST_W || m.op == Op::ST_D ||
                      m.op == Op::STPTR_W || m.op == Op::STPTR_D;
      it.push_back(Insn{m.op, {la64::Gpr{u8(is_store ? source() : dest())}, la64::Gpr{kDataReg}, off}, 3});
    } else if (kind < 82) {
      // Register-indexed: an index register bounded to the buffer first.
      const MemOp& m = pick(rng_, kMemRegOps);
      bool is_store = m.op == Op::STX_B || m.op == Op::STX_H || m.op == Op::STX_W || m.op == Op::STX_D;
      int x = scratch();
      it.push_back(Insn{Op::ANDI, {la64::Gpr{u8(x)}, la64::Gpr{u8(source())}, 0x1f8}, 3});
      it.push_back(Insn{Op::ADDI_D, {la64::Gpr{u8(x)}, la64::Gpr{u8(x)}, -kDataBias}, 3});
      la64::Gpr base{kDataReg}, index{u8(x)};
      if (rng_() % 2) std::swap(base, index);
      it.push_back(Insn{m.op, {la64::Gpr{u8(is_store ? source() : dest())}, base, index}, 3});
    } else {
      // Forward control flow to a later item (or the end).
      int target = index + 1 + int(rng_() % uint64_t(std::min(4, item_count - index)));
      unsigned b = unsigned(rng_() % 10);
      if (b < 5) {
        Insn in{pick(rng_, kBranch2), {la64::Gpr{u8(source())}, la64::Gpr{u8(source())}, 0}, 3};
        in.target_item = target; in.target_slot = 2;
        it.push_back(in);
      } else if (b < 7) {
        Insn in{rng_() % 2 ? Op::BEQZ : Op::BNEZ, {la64::Gpr{u8(source())}, 0}, 2};
        in.target_item = target; in.target_slot = 1;
        it.push_back(in);
      } else if (b < 8) {
        Insn in{rng_() % 2 ? Op::B : Op::BL, {0}, 1};
        in.target_item = target; in.target_slot = 0;
        it.push_back(in);
      } else {
        int base = scratch();
        it.push_back(Insn{Op::PCADDI, {la64::Gpr{u8(base)}, 0}, 2});
        Insn in{Op::JIRL, {la64::Gpr{u8(dest())}, la64::Gpr{u8(base)}, 0}, 3};
        in.target_item = target; in.target_slot = 2; in.base_of = 0;
        it.push_back(in);
      }
    }
    return it;
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

bool emit_array(std::vector<uint32_t>& out, Op op, const Operand* ops, int count, std::string* listing = nullptr) {
  la64::Encoded e = la64::encode(op, ops, count);
  if (!e.ok) {
    std::fprintf(stderr, "encode %s failed: %s\n", la64::mnemonic(op), e.error);
    return false;
  }
  out.push_back(e.word);
  if (listing) {
    *listing += la64::mnemonic(op);
    for (int i = 0; i < count; ++i) {
      char buf[32];
      if (ops[i].kind == la64::OperandKind::kGpr) std::snprintf(buf, sizeof(buf), "%s$r%d", i ? ", " : " ", int(ops[i].value));
      else std::snprintf(buf, sizeof(buf), "%s%" PRId64, i ? ", " : " ", ops[i].value);
      *listing += buf;
    }
    *listing += "\n";
  }
  return true;
}
template <class... A>
bool emit(std::vector<uint32_t>& out, Op op, A... a) {
  Operand v[] = {Operand(a)...};
  return emit_array(out, op, v, int(sizeof...(A)));
}

// Entry (a0 = context): save what the C caller expects back, load all 31 registers.
constexpr int kSaveOffset = 64 * 8, kOutOffset = 32 * 8;
constexpr u8 kSaved[] = {1, 2, 3, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};

bool build_case(Generator& g, size_t index, Case* c) {
  const uint64_t slot = kCodeBase + index * kCodeSlotBytes;
  const uint64_t ctx = kContextBase + index * kContextBytes;
  c->regs[0] = 0;
  for (int r = 1; r < 32; ++r) c->regs[r] = g.value();
  c->regs[kDataReg] = kDataBase + index * kDataBytes + kDataBias;
  for (uint8_t& b : c->data) b = u8(g.rng()());
  std::vector<uint32_t>& w = c->words;
  w.clear();
  for (size_t k = 0; k < sizeof(kSaved); ++k) emit(w, Op::ST_D, la64::Gpr{kSaved[k]}, la64::Gpr{4}, kSaveOffset + 8 * int(k));
  for (int r = 1; r < 32; ++r)
    if (r != 4) emit(w, Op::LD_D, la64::Gpr{u8(r)}, la64::Gpr{4}, 8 * r);
  emit(w, Op::LD_D, la64::Gpr{4}, la64::Gpr{4}, 8 * 4);
  c->test_begin = w.size();

  // The sequence: items laid out, then branch offsets resolved.
  int n = 8 + int(g.rng()() % 40);
  std::vector<Item> items;
  for (int i = 0; i < n; ++i) items.push_back(g.item(i, n));
  std::vector<size_t> start(size_t(n) + 1);
  size_t pos = c->test_begin;
  for (int i = 0; i < n; ++i) { start[size_t(i)] = pos; pos += items[size_t(i)].size(); }
  start[size_t(n)] = pos;
  c->listing.clear();
  for (int i = 0; i < n; ++i) {
    size_t at = start[size_t(i)];
    for (size_t k = 0; k < items[size_t(i)].size(); ++k) {
      Insn in = items[size_t(i)][k];
      if (in.target_item >= 0) {
        size_t from = in.base_of >= 0 ? start[size_t(i)] + size_t(in.base_of) : at + k;
        in.ops[in.target_slot] = Operand(int64_t(start[size_t(in.target_item)] - from) * 4);
      }
      if (!emit_array(w, in.op, in.ops, in.count, &c->listing)) return false;
    }
  }
  c->test_end = w.size();

  // Exit: park $ra in $f0, store every register to the context, restore the caller's registers.
  emit(w, Op::MOVGR2FR_D, la64::Fpr{0}, la64::Gpr{1});
  uint32_t li[4];
  int nli = la64::materialize_constant(la64::Gpr{1}, ctx, li);
  for (int k = 0; k < nli; ++k) w.push_back(li[k]);
  for (int r = 2; r < 32; ++r) emit(w, Op::ST_D, la64::Gpr{u8(r)}, la64::Gpr{1}, kOutOffset + 8 * r);
  emit(w, Op::MOVFR2GR_D, la64::Gpr{2}, la64::Fpr{0});
  emit(w, Op::ST_D, la64::Gpr{2}, la64::Gpr{1}, kOutOffset + 8);
  emit(w, Op::ST_D, la64::Gpr{0}, la64::Gpr{1}, kOutOffset);
  for (size_t k = sizeof(kSaved); k-- > 0;) emit(w, Op::LD_D, la64::Gpr{kSaved[k]}, la64::Gpr{1}, kSaveOffset + 8 * int(k));
  emit(w, Op::JIRL, la64::Gpr{0}, la64::Gpr{1}, 0);
  (void)slot;
  return w.size() * 4 <= kCodeSlotBytes;
}

struct Outcome { uint64_t regs[32]; uint8_t data[kDataBytes]; };

bool simulate(const Case& c, size_t index, Outcome* out, std::string* err) {
  const uint64_t slot = kCodeBase + index * kCodeSlotBytes;
  std::vector<uint32_t> code = c.words;
  std::memcpy(out->data, c.data, kDataBytes);
  AddressSpace as;
  as.map(slot, code.size() * 4, code.data(), false, true, "code");
  as.map(kDataBase + index * kDataBytes, kDataBytes, out->data, true, false, "data");
  Simulator sim(as);
  std::memcpy(sim.s.gpr, c.regs, sizeof(c.regs));
  sim.s.pc = slot + c.test_begin * 4;
  Stop st = sim.run(slot + c.test_end * 4, 100000);
  std::memcpy(out->regs, sim.s.gpr, sizeof(out->regs));
  if (st != Stop::kReachedStopPc) { *err = sim.error(); return false; }
  return true;
}

bool run_native(const std::string& qemu, const std::string& runner, const std::vector<Case>& cases,
                std::vector<Outcome>* outs) {
  char in_path[] = "/tmp/la64simXXXXXX";
  int fd = mkstemp(in_path);
  if (fd < 0) return false;
  close(fd);
  std::string out_path = std::string(in_path) + ".out";
  FILE* f = std::fopen(in_path, "wb");
  uint64_t count = cases.size();
  std::fwrite("LA64SIM1", 1, 8, f);
  std::fwrite(&count, 8, 1, f);
  for (const Case& c : cases) {
    uint32_t hdr[2] = {uint32_t(c.words.size()), 0};
    std::fwrite(hdr, 4, 2, f);
    std::fwrite(c.regs, 8, 32, f);
    std::fwrite(c.data, 1, kDataBytes, f);
    std::fwrite(c.words.data(), 4, c.words.size(), f);
  }
  std::fclose(f);
  std::string cmd = qemu + " " + runner + " " + in_path + " " + out_path;
  int rc = std::system(cmd.c_str());
  bool ok = rc == 0;
  if (!ok) std::fprintf(stderr, "'%s' failed (status %d)\n", cmd.c_str(), rc);
  outs->resize(cases.size());
  if (ok) {
    FILE* o = std::fopen(out_path.c_str(), "rb");
    for (Outcome& out : *outs) {
      ok = ok && o && std::fread(out.regs, 8, 32, o) == 32 && std::fread(out.data, 1, kDataBytes, o) == kDataBytes;
    }
    if (o) std::fclose(o);
    if (!ok) std::fprintf(stderr, "short output from the runner\n");
  }
  std::remove(in_path);
  std::remove(out_path.c_str());
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::string runner, qemu = "qemu-loongarch64";
  size_t total = 3000, batch = 4000;
  uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--runner") runner = argv[i + 1];
    else if (a == "--qemu") qemu = argv[i + 1];
    else if (a == "--cases") total = std::strtoull(argv[i + 1], nullptr, 0);
    else if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 0);
    else if (a == "--batch") batch = std::strtoull(argv[i + 1], nullptr, 0);
  }
  if (runner.empty()) {
    std::fprintf(stderr, "usage: %s --runner PATH [--qemu PATH] [--cases N] [--seed S] [--batch N]\n", argv[0]);
    return 2;
  }
  Generator gen(seed);
  size_t done = 0, mismatches = 0, instructions = 0;
  std::vector<uint64_t> op_seen(size_t(Op::kCount));
  while (done < total) {
    size_t n = std::min(batch, total - done);
    std::vector<Case> cases(n);
    for (size_t i = 0; i < n; ++i) {
      if (!build_case(gen, i, &cases[i])) { std::fprintf(stderr, "could not build case %zu\n", done + i); return 1; }
    }
    std::vector<Outcome> native;
    if (!run_native(qemu, runner, cases, &native)) return 1;
    for (size_t i = 0; i < n; ++i) {
      Outcome sim;
      std::string err;
      bool ok = simulate(cases[i], i, &sim, &err);
      instructions += cases[i].test_end - cases[i].test_begin;
      for (size_t k = cases[i].test_begin; k < cases[i].test_end; ++k) {
        la64::Decoded d;
        if (la64::decode(cases[i].words[k], &d)) ++op_seen[size_t(d.op)];
      }
      bool same = ok && std::memcmp(sim.regs, native[i].regs, sizeof(sim.regs)) == 0 &&
                  std::memcmp(sim.data, native[i].data, kDataBytes) == 0;
      if (same) continue;
      if (++mismatches <= 5) {
        std::printf("MISMATCH in case %zu (seed %" PRIu64 ")%s%s\n", done + i, seed, ok ? "" : ": simulator stopped: ", err.c_str());
        std::printf("%s", cases[i].listing.c_str());
        for (int r = 0; r < 32; ++r) {
          if (sim.regs[r] != native[i].regs[r])
            std::printf("  $r%d: in %016" PRIx64 "  sim %016" PRIx64 "  qemu %016" PRIx64 "\n", r, cases[i].regs[r],
                        sim.regs[r], native[i].regs[r]);
        }
        for (size_t b = 0; b < kDataBytes; ++b)
          if (sim.data[b] != native[i].data[b]) { std::printf("  data differs from byte %zu\n", b); break; }
      }
    }
    done += n;
  }
  size_t kinds = 0;
  for (uint64_t c : op_seen) kinds += c != 0;
  std::printf("la64 simulator vs qemu-loongarch64: %zu sequences, %zu instructions, %zu distinct instructions, %zu mismatches\n",
              done, instructions, kinds, mismatches);
  return mismatches == 0 ? 0 : 1;
}
