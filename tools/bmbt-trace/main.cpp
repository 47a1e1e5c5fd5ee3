// bmbt-trace: translate an x86-64 flat image offline, on any host, without running it. It
// follows the code from the entry through direct jumps, branches and calls, and for each block
// prints what `bmbt -d` would (x86, IR, IR after passes, LoongArch code) and, at the end, the
// static translation statistics. Used to study translated code and to measure translation
// cost (`valgrind --tool=callgrind --toggle-collect='*translate_all*' bmbt-trace ...`).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "backend-la64/disasm.h"
#include "backend-la64/jit_backend.h"
#include "frontend-x86/flag_lookahead.h"
#include "frontend-x86/buffer_code_source.h"
#include "ir/passes/passes.h"
#include "ir/printer.h"

using namespace bmbt;

namespace {

constexpr const char* kUsage =
    "usage: bmbt-trace [-d in_asm,ir,ir_opt,out_asm] [-load-addr ADDR] [-max-blocks N] [-repeat N]\n"
    "                  [-stable-helpers] [-lbt] [-no-flag-plan] IMAGE\n"
    "Translates a flat x86-64 image (loaded at 0x100000 by default, entry = first byte) to LoongArch\n"
    "without running it: every block reachable through direct jumps, branches and calls.\n"
    "-stable-helpers: helper calls target fixed placeholder addresses instead of this process's\n"
    "  helpers, so the code bytes depend only on the image (byte-for-byte comparisons across builds).\n"
    "-lbt: the LBT flag strategy (flag groups in the IR, x86 flag instructions in the code).\n"
    "-no-flag-plan: emit every flag formula and leave dead ones to the IR passes (the translation\n"
    "  after the passes is the same; for checking that, and for measuring what the plan saves).\n";

struct Printer final : x86::InsnObserver {
  const x86::Decoder* dec;
  bool on = false;
  void on_insn(const x86::DecodedInsn& d, const u8* bytes) override {
    if (!on) return;
    std::printf("0x%08llx:  ", (unsigned long long)d.pc);
    for (int i = 0; i < d.insn.length; ++i) std::printf("%02x ", bytes[i]);
    FixedText<160> t;
    dec->format(d, t);
    std::printf("%*s%s\n", 3 * (12 - d.insn.length) > 0 ? 3 * (12 - d.insn.length) : 1, "", t.c_str());
  }
};

void print_line(void*, const char* text) { std::printf("%s\n", text); }

struct Totals {
  u64 blocks = 0, guest_insns = 0, ir_before = 0, ir_after = 0, host_words = 0, host_inline = 0;
  u64 failed = 0;  // blocks the translator could not translate (internal errors, reported as they happen)
};

// Translates every reachable block once. Kept as one function so callgrind can count exactly it.
// The block addresses already translated. Open addressing without per-insert allocation: the
// bookkeeping runs inside translate_all, which the translation-cost measurement counts.
class PcSet {
 public:
  // True if `pc` was not in the set (it is now).
  bool insert(u64 pc) {
    if (2 * (count_ + 1) > slots_.size()) grow();
    for (usize k = slot_of(pc);; k = (k + 1) & (slots_.size() - 1)) {
      if (slots_[k] == pc) return false;
      if (slots_[k] == kEmpty) {
        slots_[k] = pc;
        ++count_;
        return true;
      }
    }
  }

 private:
  static constexpr u64 kEmpty = ~u64(0);  // never a block address
  usize slot_of(u64 pc) const { return usize((pc * 0x9e3779b97f4a7c15ull) >> 32) & (slots_.size() - 1); }
  void grow() {
    std::vector<u64> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : 2 * old.size(), kEmpty);
    count_ = 0;
    for (u64 pc : old)
      if (pc != kEmpty) insert(pc);
  }
  std::vector<u64> slots_;
  usize count_ = 0;
};

__attribute__((noinline)) Totals translate_all(x86::BufferCodeSource& image, u64 entry, const std::string& trace,
                                               usize max_blocks, bool stable_helpers, bool lbt, bool flag_plan) {
  static x86::Decoder dec;
  static auto block = std::make_unique<ir::Block>();
  static u32 words[1 << 15];
  // Each round models a first translation: nothing remembered from the previous round.
  dec.forget();
  // The trampoline is written once per engine start, not per block: not translation cost.
  static la64::TrampolineLayout layout;
  static bool have_layout = false;
  if (!have_layout) {
    static u32 trampoline[4096];
    la64::write_trampoline(trampoline, 4096, &layout, lbt);
    have_layout = true;
  }
  la64::CodegenTargets targets = la64::make_targets(0, layout, false, lbt);
  // Helper addresses move with the build and with ASLR (PIE); a placeholder per helper keeps the
  // li sequences (and so every later offset) the same from one build to the next.
  if (stable_helpers)
    for (u64 h = 0; h < 8; ++h) targets.helpers[h] = targets.helpers[h] ? 0x7f0000000000ull + (h << 12) : 0;
  // Decided once, not per block: string searches per block would be counted as translation cost.
  auto has = [&](const char* what) { return ("," + trace + ",").find(std::string(",") + what + ",") != std::string::npos; };
  const bool trace_ir = has("ir"), trace_ir_opt = has("ir_opt"), trace_out = has("out_asm");
  Printer printer;
  printer.dec = &dec;
  printer.on = has("in_asm");
  Totals t;
  PcSet seen;
  std::vector<u64> work{entry};  // a queue: translated breadth-first, from `next` on
  usize next = 0;
  x86::TranslateLimits limits;
  limits.flag_groups = lbt;
  limits.flag_lookahead = true;
  limits.flag_plan = flag_plan;
  while (next < work.size() && t.blocks < max_blocks) {
    const u64 pc = work[next++];
    if (!seen.insert(pc)) continue;
    if (printer.on) std::printf("IN: block at 0x%llx\n", (unsigned long long)pc);
    x86::TranslateFailure failure;
    if (!x86::translate_block(dec, image, pc, *block, limits, &printer, &failure)) {
      std::fprintf(stderr, "bmbt-trace: internal error translating the block at 0x%llx: %s (guest instruction at 0x%llx)\n",
                   (unsigned long long)pc, failure.why, (unsigned long long)failure.pc);
      ++t.failed;
      continue;
    }
    block->live_out_flags = x86::live_out_flags(dec, image, *block);
    if (trace_ir) {
      std::printf("IR: block at 0x%llx\n", (unsigned long long)pc);
      ir::print_block(*block, print_line, nullptr);
    }
    t.ir_before += u64(block->size());
    ir::run_default_passes(*block);
    t.ir_after += u64(block->size());
    if (trace_ir_opt) {
      std::printf("IR after passes: block at 0x%llx\n", (unsigned long long)pc);
      ir::print_block(*block, print_line, nullptr);
    }
    la64::CodegenResult r = la64::generate(*block, targets, 0x10000, words, sizeof(words) / 4);
    if (r.status == la64::CodegenStatus::kOk) {
      t.host_words += r.words;
      t.host_inline += r.inline_words;
      if (trace_out) {
        std::printf("OUT: block at 0x%llx (%zu LoongArch instructions, %zu inline)\n", (unsigned long long)pc, r.words,
                    r.inline_words);
        for (usize i = 0; i < r.words; ++i) {
          FixedText<120> text;
          la64::disassemble(words[i], text);
          std::printf("  %05zx:  %08x  %s\n", 0x10000 + i * 4, words[i], text.c_str());
        }
      }
    } else {
      std::printf("block at 0x%llx: no LoongArch code (%s)\n", (unsigned long long)pc, r.error ? r.error : "rejected");
    }
    t.blocks++;
    t.guest_insns += block->guest_insns;
    // Successors: direct targets, the fall-through of calls (the return address).
    const ir::Terminator& term = block->term;
    if (term.kind == ir::TermKind::kJump) work.push_back(term.target);
    if (term.kind == ir::TermKind::kBranch) {
      work.push_back(term.target);
      work.push_back(term.fallthrough);
    }
    if (term.kind == ir::TermKind::kJump || term.kind == ir::TermKind::kJumpIndirect)
      work.push_back(pc + block->guest_bytes);  // after a call: its return address (harmless otherwise)
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  std::string trace, path;
  u64 load = 0x100000;
  usize max_blocks = 100000;
  int repeat = 1;
  bool stable_helpers = false, lbt = false, flag_plan = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) { std::fprintf(stderr, "bmbt-trace: %s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    if (a == "-d") trace = next();
    else if (a == "-load-addr") load = std::strtoull(next(), nullptr, 0);
    else if (a == "-max-blocks") max_blocks = std::strtoull(next(), nullptr, 0);
    else if (a == "-repeat") repeat = std::atoi(next());
    else if (a == "-stable-helpers") stable_helpers = true;
    else if (a == "-lbt") lbt = true;
    else if (a == "-no-flag-plan") flag_plan = false;
    else if (a == "-h" || a == "-help") { std::fputs(kUsage, stdout); return 0; }
    else if (a[0] == '-') { std::fprintf(stderr, "bmbt-trace: unknown option '%s'\n%s", a.c_str(), kUsage); return 2; }
    else path = a;
  }
  if (path.empty()) { std::fputs(kUsage, stderr); return 2; }
  std::ifstream f(path, std::ios::binary);
  if (!f) { std::fprintf(stderr, "bmbt-trace: cannot open '%s'\n", path.c_str()); return 1; }
  std::vector<u8> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  x86::BufferCodeSource image(bytes.data(), bytes.size(), load);
  Totals t;
  for (int k = 0; k < repeat; ++k) t = translate_all(image, load, k == 0 ? trace : "", max_blocks, stable_helpers, lbt, flag_plan);
  // On stderr, so that stdout holds only the dump (`bmbt-trace -d out_asm IMG > dump.txt`).
  std::fprintf(stderr, "bmbt-trace: %llu blocks, %llu guest instructions, IR ops %llu -> %llu after passes, "
              "%llu LoongArch instructions (%.2f per guest instruction; inline %.2f)\n",
              (unsigned long long)t.blocks, (unsigned long long)t.guest_insns, (unsigned long long)t.ir_before,
              (unsigned long long)t.ir_after, (unsigned long long)t.host_words,
              t.guest_insns ? double(t.host_words) / double(t.guest_insns) : 0.0,
              t.guest_insns ? double(t.host_inline) / double(t.guest_insns) : 0.0);
  if (t.failed) {
    std::fprintf(stderr, "bmbt-trace: %llu blocks failed to translate (internal errors above)\n", (unsigned long long)t.failed);
    return 1;
  }
  return 0;
}
