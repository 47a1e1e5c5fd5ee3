// Proves the Assembler's labels against LLVM: the same program is written once through Assembler
// (labels, fixups, branch_far, jump_long/call_long, jump_to/call_to) and once as assembly text with
// labels, and the bytes must be identical.
//   1. For every branch instruction (16-, 21- and 26-bit offsets): a forward branch at exactly the
//      largest offset, a backward one at exactly the smallest, small forward/backward/zero offsets and
//      branch_far in both directions, in one section per instruction assembled by llvm-mc-19; the
//      section's bytes (llvm-objcopy) are compared with ours word for word.
//   2. One beyond each limit, forward and backward: llvm-mc must reject the file and Assembler must
//      report an error (never a word).
//   3. pcaddu18i + jirl (jump_long/call_long to labels, jump_to/call_to absolute addresses at the
//      +-128 GiB limits): llvm-mc's %call36 relocation resolved by ld.lld-19 with the target section
//      placed at the wanted distance; one beyond must be refused by lld and take our li + jirl path.
// Tools: $LLVM_MC, $LLVM_OBJCOPY, $LLD (defaults llvm-mc-19, llvm-objcopy-19, ld.lld-19).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "backend-la64/assembler.h"

using namespace bmbt;
using namespace bmbt::la64;

namespace {

std::string g_mc, g_objcopy, g_lld, g_dir;
long g_cases = 0, g_fail = 0;

void check(bool ok, const std::string& what) {
  ++g_cases;
  if (!ok && ++g_fail <= 40) std::fprintf(stderr, "MISMATCH: %s\n", what.c_str());
}

std::string tool(const char* env, const char* def) {
  const char* v = std::getenv(env);
  return v && *v ? v : def;
}

int run(const std::string& cmd) { return std::system(cmd.c_str()); }

std::string read_file(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<uint32_t> words_of(const std::string& bytes) {
  std::vector<uint32_t> w(bytes.size() / 4);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = uint8_t(bytes[4 * i]) | uint8_t(bytes[4 * i + 1]) << 8 | uint8_t(bytes[4 * i + 2]) << 16 |
           uint32_t(uint8_t(bytes[4 * i + 3])) << 24;
  return w;
}

std::string hex32(uint32_t w) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", w);
  return b;
}

// Assembles `source` with llvm-mc into an object; false if llvm-mc rejects it.
bool llvm_assemble(const std::string& source, const std::string& obj) {
  std::string in = g_dir + "/in.s";
  std::ofstream(in) << source;
  return run(g_mc + " --triple=loongarch64 -filetype=obj " + in + " -o " + obj + " 2>/dev/null") == 0;
}

std::vector<uint32_t> section_words(const std::string& file, const std::string& section) {
  std::string out = g_dir + "/sec.bin";
  run("rm -f " + out);
  if (run(g_objcopy + " --dump-section " + section + "=" + out + " " + file + " " + g_dir + "/scratch.o 2>/dev/null") != 0)
    return {};
  return words_of(read_file(out));
}

void compare(const std::vector<uint32_t>& llvm, const u32* ours, size_t n, const std::string& what) {
  ++g_cases;
  if (llvm.size() != n) {
    check(false, what + ": llvm has " + std::to_string(llvm.size()) + " words, we " + std::to_string(n));
    return;
  }
  for (size_t i = 0; i < n; ++i)
    if (llvm[i] != ours[i]) {
      check(false, what + ": word " + std::to_string(i) + " llvm " + hex32(llvm[i]) + ", we " + hex32(ours[i]));
      return;
    }
}

// ---- one branch instruction, its operands in both spellings
enum class Shape { kReg2, kReg1, kFcc, kUncond };
struct BranchKind { Op op; Shape shape; const char* name; int reach_log2; };
constexpr BranchKind kBranches[] = {
    {Op::BEQ, Shape::kReg2, "beq", 17},   {Op::BNE, Shape::kReg2, "bne", 17},   {Op::BLT, Shape::kReg2, "blt", 17},
    {Op::BGE, Shape::kReg2, "bge", 17},   {Op::BLTU, Shape::kReg2, "bltu", 17}, {Op::BGEU, Shape::kReg2, "bgeu", 17},
    {Op::BEQZ, Shape::kReg1, "beqz", 22}, {Op::BNEZ, Shape::kReg1, "bnez", 22}, {Op::BCEQZ, Shape::kFcc, "bceqz", 22},
    {Op::BCNEZ, Shape::kFcc, "bcnez", 22}, {Op::B, Shape::kUncond, "b", 27},     {Op::BL, Shape::kUncond, "bl", 27},
};

std::string operand_text(const BranchKind& k) {
  switch (k.shape) {
    case Shape::kReg2: return "$r4, $r5, ";
    case Shape::kReg1: return "$r4, ";
    case Shape::kFcc: return "$fcc3, ";
    case Shape::kUncond: return "";
  }
  return "";
}

// Emits k to `target` (label) in both forms.
struct Program {
  Assembler& as;
  std::string text;
  void emit(const BranchKind& k, Label& target, bool far) {
    switch (k.shape) {
      case Shape::kReg2: far ? as.branch_far(k.op, target, Gpr{4}, Gpr{5}) : as.branch(k.op, target, Gpr{4}, Gpr{5}); break;
      case Shape::kReg1: far ? as.branch_far(k.op, target, Gpr{4}) : as.branch(k.op, target, Gpr{4}); break;
      case Shape::kFcc: far ? as.branch_far(k.op, target, Fcc{3}) : as.branch(k.op, target, Fcc{3}); break;
      case Shape::kUncond: far ? as.branch_far(k.op, target) : as.branch(k.op, target); break;
    }
  }
  void branch(const BranchKind& k, Label& target, const char* name) {
    emit(k, target, false);
    text += std::string("  ") + k.name + " " + operand_text(k) + name + "\n";
  }
  // branch_far; `long_form`: the text of the expansion it must produce (inverted branch over b).
  void branch_far(const BranchKind& k, Label& target, const char* name, bool long_form) {
    emit(k, target, true);
    if (!long_form || k.shape == Shape::kUncond) {
      text += std::string("  ") + k.name + " " + operand_text(k) + name + "\n";
      return;
    }
    text += std::string("  ") + mnemonic(inverted_branch(k.op)) + " " + operand_text(k) + "8\n  b " + name + "\n";
  }
  void bind(Label& l, const char* name) { as.bind(l); text += std::string(name) + ":\n"; }
  void pad(size_t n) {
    as.pad(n);
    if (n) text += "  .fill " + std::to_string(n) + ", 4, 0x03400000\n";
  }
};

// Section with the limits and small cases of one branch instruction.
void check_limits(const BranchKind& k, std::vector<u32>& buf) {
  const size_t reach = size_t(1) << (k.reach_log2 - 2);  // words
  Assembler as(buf.data(), buf.size());
  Program p{as, ".section sec,\"ax\"\n"};
  Label a, z, y, self, small_back, far_fwd;
  p.bind(a, "A");
  p.branch(k, z, "Z");               // forward, offset = largest (fixup at bind)
  p.pad(reach - 2);
  p.bind(z, "Z");
  p.pad(1);
  p.branch(k, a, "A");               // backward, offset = smallest (word `reach`)
  p.bind(small_back, "SB");
  p.branch(k, y, "Y");               // forward +8
  p.pad(1);
  p.bind(y, "Y");
  p.branch(k, small_back, "SB");     // backward -12
  p.bind(self, "SELF");
  p.branch(k, self, "SELF");         // zero offset
  p.branch_far(k, far_fwd, "FF", true);   // forward: always the long form
  p.branch_far(k, small_back, "SB", false);  // backward within reach: short
  // Backward beyond the short reach: long form (b/bl have no longer form; jump_long is tested below).
  if (k.shape != Shape::kUncond) p.branch_far(k, a, "A", true);
  p.pad(3);
  p.bind(far_fwd, "FF");
  p.pad(1);
  std::string what = std::string(k.name) + " limits";
  check(as.ok(), what + ": " + (as.error() ? as.error() : ""));
  std::string obj = g_dir + "/limits.o";
  if (!llvm_assemble(p.text, obj)) { check(false, what + ": llvm-mc rejected the file"); return; }
  compare(section_words(obj, "sec"), as.words(), as.size(), what);
}

// One beyond each limit: llvm-mc rejects, Assembler reports an error.
void check_beyond(const BranchKind& k, std::vector<u32>& buf) {
  const size_t reach = size_t(1) << (k.reach_log2 - 2);
  for (int backward = 0; backward < 2; ++backward) {
    Assembler as(buf.data(), buf.size());
    Program p{as, ".section sec,\"ax\"\n"};
    Label a, z;
    if (backward) {
      p.bind(a, "A");
      p.pad(reach + 1);
      p.branch(k, a, "A");  // offset = smallest - 4
    } else {
      p.branch(k, z, "Z");
      p.pad(reach - 1);
      p.bind(z, "Z");       // offset = largest + 4
      p.pad(1);
    }
    std::string what = std::string(k.name) + (backward ? " one below the smallest offset" : " one above the largest offset");
    check(!llvm_assemble(p.text, g_dir + "/beyond.o"), what + ": llvm-mc accepted it");
    check(!as.ok(), what + ": Assembler accepted it");
  }
}

// ---- pcaddu18i + jirl, resolved by ld.lld with section `fb` placed `distance` bytes after `fa`.
constexpr uint64_t kBase = 0x4000000000ull;

bool lld_link(const std::string& source, uint64_t fb_address, std::vector<uint32_t>* fa_words) {
  std::string obj = g_dir + "/long.o", elf = g_dir + "/long.elf", script = g_dir + "/long.ld";
  if (!llvm_assemble(source, obj)) return false;
  char b[256];
  std::snprintf(b, sizeof b, "PHDRS { a PT_LOAD; b PT_LOAD; }\nSECTIONS { fa 0x%llx : { *(fa) } :a\n fb 0x%llx : { *(fb) } :b }\n",
                (unsigned long long)kBase, (unsigned long long)fb_address);
  std::ofstream(script) << b;
  if (run(g_lld + " -e 0 -T " + script + " " + obj + " -o " + elf + " 2>/dev/null") != 0) return false;
  *fa_words = section_words(elf, "fa");
  return true;
}

void check_long_to(int64_t distance, bool link, bool lld_accepts) {
  u32 buf[16];
  Assembler as(buf, 16, kBase);
  const uint64_t target = kBase + uint64_t(distance);
  if (link) as.call_to(target, Gpr{12}); else as.jump_to(target, Gpr{12});
  std::string what = std::string(link ? "call_to" : "jump_to") + " distance " + std::to_string(distance);
  check(as.ok(), what + ": assembler error");
  std::string src = std::string(".section fa,\"ax\"\n  pcaddu18i $r12, %call36(F)\n  jirl ") +
                    (link ? "$r1" : "$r0") + ", $r12, 0\n.section fb,\"ax\"\nF:\n  nop\n";
  std::vector<uint32_t> llvm;
  bool linked = lld_link(src, target, &llvm);
  check(linked == lld_accepts, what + ": ld.lld " + (linked ? "accepted" : "rejected"));
  if (!linked) {
    // Beyond the pair's reach: li + jirl through the scratch register.
    Decoded d;
    check(as.size() >= 2 && decode(buf[as.size() - 1], &d) && d.op == Op::JIRL && d.ops[2].value == 0,
          what + ": expected li + jirl");
    u32 li[4];
    int n = materialize_constant(Gpr{12}, target, li);
    check(int(as.size()) == n + 1, what + ": li length");
    for (int i = 0; i < n && i < int(as.size()); ++i) check(buf[i] == li[i], what + ": li words");
    return;
  }
  compare(llvm, as.words(), as.size(), what);
}

// jump_long / call_long to labels in one section, forward and backward, through the linker.
void check_long_labels(std::vector<u32>& buf) {
  Assembler as(buf.data(), buf.size(), kBase);
  std::string t = ".section fa,\"ax\"\n";
  Label back, fwd;
  as.bind(back);
  t += "B:\n";
  as.pad(5);
  t += "  .fill 5, 4, 0x03400000\n";
  as.jump_long(fwd, Gpr{12});
  t += "  pcaddu18i $r12, %call36(F)\n  jirl $r0, $r12, 0\n";
  as.call_long(back, Gpr{13});
  t += "  pcaddu18i $r13, %call36(B)\n  jirl $r1, $r13, 0\n";
  as.pad(70000);  // beyond the 16-bit jirl part alone
  t += "  .fill 70000, 4, 0x03400000\n";
  as.bind(fwd);
  t += "F:\n";
  as.call_long(fwd, Gpr{14});
  t += "  pcaddu18i $r14, %call36(F)\n  jirl $r1, $r14, 0\n.section fb,\"ax\"\n  nop\n";
  check(as.ok(), "long labels assemble");
  std::vector<uint32_t> llvm;
  if (!lld_link(t, kBase + (1ull << 30), &llvm)) { check(false, "long labels: llvm-mc/ld.lld failed"); return; }
  compare(llvm, as.words(), as.size(), "jump_long/call_long labels");
}

}  // namespace

int main() {
  g_mc = tool("LLVM_MC", "llvm-mc-19");
  g_objcopy = tool("LLVM_OBJCOPY", "llvm-objcopy-19");
  g_lld = tool("LLD", "ld.lld-19");
  char tmpl[] = "/tmp/la64_label_check.XXXXXX";
  if (!mkdtemp(tmpl)) { std::perror("mkdtemp"); return 2; }
  g_dir = tmpl;
  std::vector<u32> buf((size_t(1) << 25) + 64);
  for (const BranchKind& k : kBranches) {
    check_limits(k, buf);
    check_beyond(k, buf);
  }
  std::printf("la64-labels: every branch instruction at its offset limits, small offsets and branch_far\n");
  const int64_t max_pair = (int64_t(1) << 37) - (int64_t(1) << 17) - 4, min_pair = -(int64_t(1) << 37) - (int64_t(1) << 17);
  for (bool link : {false, true}) {
    check_long_to(max_pair, link, true);
    check_long_to(min_pair, link, true);
    check_long_to(int64_t(1) << 27, link, true);         // just beyond b/bl
    check_long_to(-(int64_t(1) << 27) - 4, link, true);
    check_long_to(0x123456789ll * 4, link, true);
    check_long_to(max_pair + 4, link, false);            // beyond the pair: li + jirl
    check_long_to(min_pair - 4, link, false);
  }
  check_long_labels(buf);
  std::printf("la64-labels: pcaddu18i+jirl at the +-128 GiB limits and beyond, labels, through ld.lld\n");
  std::printf("la64-labels: %ld checks, %ld mismatches\n", g_cases, g_fail);
  run("rm -rf " + g_dir);
  return g_fail ? 1 : 0;
}
