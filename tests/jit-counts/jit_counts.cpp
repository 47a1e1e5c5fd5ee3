// Instruction-count golden test (FEX-style): how many LoongArch instructions each x86
// instruction form becomes, with its flags live and dead after it. Any change fails until the
// golden file is regenerated (`jit_counts --update GOLDEN`) and committed with the reason, so
// every code-quality change shows up as a reviewed diff. One golden file per flag strategy
// (software; LBT with --lbt).
//
// Counted: the words the block body needs for the form (a block with the form and `jmp` to the
// next instruction minus a block with just that `jmp`), split into inline words and
// out-of-line words (budget exit, soft-TLB miss paths). "Flags live/dead" is what the block's
// successors need (Block::live_out_flags), which decides how much flag work survives.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "backend-la64/jit_backend.h"
#include "frontend-x86/buffer_code_source.h"
#include "ir/passes/passes.h"

using namespace bmbt;

namespace {

struct Form { const char* name; std::vector<u8> bytes; };

// Representative forms; operands avoid each other so no form is a degenerate special case.
const std::vector<Form> kForms = {
    {"mov r64, r64", {0x48, 0x89, 0xd8}},
    {"mov r32, imm32", {0xb8, 0x78, 0x56, 0x34, 0x12}},
    {"mov r64, imm64", {0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}},
    {"mov r64, [r64+disp8]", {0x48, 0x8b, 0x43, 0x08}},
    {"mov [r64+disp8], r64", {0x48, 0x89, 0x43, 0x08}},
    {"mov r32, [rip+disp32]", {0x8b, 0x05, 0x00, 0x10, 0x00, 0x00}},
    {"mov byte [r64], imm8", {0xc6, 0x03, 0x7f}},
    {"movzx r32, byte [r64]", {0x0f, 0xb6, 0x03}},
    {"movsx r64, r8", {0x48, 0x0f, 0xbe, 0xc3}},
    {"lea r64, [r64+r64*4+8]", {0x48, 0x8d, 0x44, 0x8b, 0x08}},
    {"add r64, r64", {0x48, 0x01, 0xd8}},
    {"add r32, r32", {0x01, 0xd8}},
    {"add r64, imm8", {0x48, 0x83, 0xc0, 0x10}},
    {"add r8, r8", {0x00, 0xd8}},
    {"add [r64], r64", {0x48, 0x01, 0x03}},
    {"sub r64, r64", {0x48, 0x29, 0xd8}},
    {"adc r64, r64", {0x48, 0x11, 0xd8}},
    {"and r32, imm32", {0x25, 0xff, 0x0f, 0x00, 0x00}},
    {"xor r32, r32 (same)", {0x31, 0xc0}},
    {"or r64, r64", {0x48, 0x09, 0xd8}},
    {"cmp r64, r64", {0x48, 0x39, 0xd8}},
    {"test r32, r32", {0x85, 0xdb}},
    {"inc r64", {0x48, 0xff, 0xc0}},
    {"neg r64", {0x48, 0xf7, 0xd8}},
    {"shl r64, imm8", {0x48, 0xc1, 0xe0, 0x05}},
    {"shr r32, cl", {0xd3, 0xe8}},
    {"sar r64, 1", {0x48, 0xd1, 0xf8}},
    {"imul r64, r64", {0x48, 0x0f, 0xaf, 0xc3}},
    {"imul r32, r32, imm8", {0x6b, 0xc3, 0x07}},
    {"sete r8", {0x0f, 0x94, 0xc0}},
    {"cmovl r64, r64", {0x48, 0x0f, 0x4c, 0xc3}},
    {"push r64", {0x53}},
    {"pop r64", {0x5b}},
    {"xchg r64, r64", {0x48, 0x87, 0xd8}},
    {"cqo", {0x48, 0x99}},
    {"nop", {0x90}},
};

// Whole-block forms (the form ends the block).
const std::vector<Form> kBlockForms = {
    {"cmp r64, r64; jl", {0x48, 0x39, 0xd8, 0x7c, 0x10}},
    {"test r32, r32; jz", {0x85, 0xc0, 0x74, 0x10}},
    {"dec r32; jnz", {0xff, 0xc9, 0x75, 0xf0}},
    {"jmp rel32", {0xe9, 0x00, 0x01, 0x00, 0x00}},
    {"call rel32", {0xe8, 0x00, 0x01, 0x00, 0x00}},
    {"ret", {0xc3}},
    {"jmp r64", {0xff, 0xe0}},
    {"hlt", {0xf4}},
};

struct Count { long inline_words; long outline_words; };

// Generates the block at 0x1000 from `bytes` and counts its words (CodegenResult splits inline
// and out-of-line parts).
Count words_for(const std::vector<u8>& bytes, bool flags_live, const la64::CodegenTargets& t) {
  static x86::Decoder dec;
  static auto block = std::make_unique<ir::Block>();
  x86::BufferCodeSource src(bytes.data(), bytes.size(), 0x1000);
  x86::TranslateLimits limits;
  limits.flag_groups = t.lbt;
  if (!x86::translate_block(dec, src, 0x1000, *block, limits, nullptr)) return {-1, -1};
  block->live_out_flags = flags_live ? 0x3f : 0;
  ir::run_default_passes(*block);
  static u32 words[1 << 14];
  la64::CodegenResult r = la64::generate(*block, t, 0x10000, words, 1 << 14);
  if (r.status != la64::CodegenStatus::kOk) return {-1, -1};
  return {long(r.inline_words), long(r.words - r.inline_words)};
}

std::string key(const char* group, const Form& f) { return std::string(group) + ": " + f.name; }

}  // namespace

int main(int argc, char** argv) {
  bool update = false, lbt = false;
  const char* golden_path = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--update") == 0) update = true;
    else if (std::strcmp(argv[i], "--lbt") == 0) lbt = true;
    else if (!golden_path && argv[i][0] != '-') golden_path = argv[i];
    else golden_path = nullptr, argc = 0;
  }
  if (!golden_path) {
    std::fprintf(stderr, "usage: jit_counts [--lbt] GOLDEN            (compare)\n"
                         "       jit_counts [--lbt] --update GOLDEN   (rewrite)\n");
    return 2;
  }
  static u32 trampoline[4096];
  la64::TrampolineLayout layout;
  if (!la64::write_trampoline(trampoline, 4096, &layout, lbt)) return 3;
  const la64::CodegenTargets t = la64::make_targets(0, layout, false, lbt);

  std::ostringstream now;
  now << "# LoongArch instructions per x86 form, " << (lbt ? "LBT" : "software")
      << " flag strategy (generated by jit_counts" << (lbt ? " --lbt" : "") << " --update).\n"
      << "# columns: form | inline words with flags live | out-of-line | inline with flags dead | out-of-line\n";
  const std::vector<u8> kJmpNext = {0xeb, 0x00};
  const Count base_live = words_for(kJmpNext, true, t), base_dead = words_for(kJmpNext, false, t);
  auto emit = [&](const char* group, const Form& f, bool subtract) {
    std::vector<u8> bytes = f.bytes;
    if (subtract) bytes.insert(bytes.end(), kJmpNext.begin(), kJmpNext.end());
    Count live = words_for(bytes, true, t), dead = words_for(bytes, false, t);
    if (subtract) {
      live.inline_words -= base_live.inline_words;
      live.outline_words -= base_live.outline_words;
      dead.inline_words -= base_dead.inline_words;
      dead.outline_words -= base_dead.outline_words;
    }
    now << key(group, f) << " | " << live.inline_words << " | " << live.outline_words << " | " << dead.inline_words
        << " | " << dead.outline_words << "\n";
  };
  for (const Form& f : kForms) emit("insn", f, true);
  for (const Form& f : kBlockForms) emit("block", f, false);

  if (update) {
    std::ofstream(golden_path) << now.str();
    std::printf("wrote %s\n", golden_path);
    return 0;
  }
  std::ifstream in(golden_path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s (create it with --update)\n", golden_path);
    return 1;
  }
  std::map<std::string, std::string> golden;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    golden[line.substr(0, line.find(" | "))] = line;
  }
  std::istringstream cur(now.str());
  int changed = 0, total = 0;
  while (std::getline(cur, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++total;
    std::string k = line.substr(0, line.find(" | "));
    auto it = golden.find(k);
    if (it == golden.end() || it->second != line) {
      ++changed;
      std::printf("CHANGED  golden: %s\n         now:    %s\n", it == golden.end() ? "(missing)" : it->second.c_str(),
                  line.c_str());
    }
  }
  std::printf("jit-counts: %d forms, %d changed\n", total, changed);
  if (changed)
    std::printf("If the change is intended, run `jit_counts%s --update %s` and commit the file with the reason.\n",
                lbt ? " --lbt" : "", golden_path);
  return changed ? 1 : 0;
}
