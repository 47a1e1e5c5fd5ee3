// Random x86-64 test cases: an instruction (or a short register-only sequence) encoded from a
// table of opcode templates, with register values biased to edge cases, random RFLAGS (the six
// arithmetic flags and DF) and memory operands steered into the data window. Case `index` of
// seed `seed` is always the same case (`x86-diff --seed S --case N`).
#pragma once
#include <string>
#include <vector>

#include "layout.h"

namespace bmbt::x86diff {

// Families as issue 4 lists them; the summary table has one row per family.
#define X86DIFF_FAMILIES(F)                                                                          \
  F(mov) F(movzx_movsx) F(cmovcc) F(xchg) F(bswap) F(movbe) F(lea) F(cbw_cwd)                         \
  F(add) F(adc) F(sub) F(sbb) F(cmp) F(and_) F(or_) F(xor_) F(test) F(neg) F(not_) F(inc) F(dec)        \
  F(shl_sal) F(shr) F(sar) F(rol) F(ror) F(rcl) F(rcr) F(shld) F(shrd)                                 \
  F(mul) F(imul) F(div) F(idiv)                                                                      \
  F(bt) F(bts) F(btr) F(btc) F(bsf) F(bsr) F(lzcnt) F(tzcnt) F(popcnt)                                 \
  F(jcc) F(jmp) F(call) F(ret) F(loop) F(jrcxz) F(setcc)                                             \
  F(push) F(pop) F(pushf_popf) F(enter) F(leave)                                                     \
  F(movs) F(stos) F(lods) F(cmps) F(scas)                                                            \
  F(flag_ops) F(lahf_sahf)                                                                           \
  F(xadd) F(cmpxchg) F(cmpxchg8b_16b)                                                                \
  F(nop) F(pause) F(cpuid) F(rdtsc)                                                                  \
  F(sequence)

enum class Family : u16 {
#define X86DIFF_ENUM(name) name,
  X86DIFF_FAMILIES(X86DIFF_ENUM)
#undef X86DIFF_ENUM
  kCount
};
const char* family_name(Family f);

// Encoding features, counted for the distribution report.
enum Feature : u32 {
  kFeatOpsize = 1u << 0,    // 66
  kFeatRexW = 1u << 1,
  kFeatRex = 1u << 2,       // any REX
  kFeatHighByte = 1u << 3,  // AH..BH
  kFeatLock = 1u << 4,
  kFeatRep = 1u << 5,       // F3 on a string instruction
  kFeatRepne = 1u << 6,
  kFeatSegFs = 1u << 7,
  kFeatSegGs = 1u << 8,
  kFeatMem = 1u << 9,
  kFeatSib = 1u << 10,
  kFeatIndex = 1u << 11,
  kFeatRipRel = 1u << 12,
  kFeatDisp8 = 1u << 13,
  kFeatDisp32 = 1u << 14,
  kFeatNoBase = 1u << 15,
  kFeat8 = 1u << 16, kFeat16 = 1u << 17, kFeat32 = 1u << 18, kFeat64 = 1u << 19,
  kFeatDF = 1u << 20,       // DF set on input
  kFeatCount = 21
};
const char* feature_name(int bit);

struct Case {
  u64 seed = 0;
  u64 index = 0;
  Family family = Family::kCount;
  std::string form;            // template text of the (first) instruction, e.g. "add r/m, r"
  State in{};
  u64 mem_seed = 0;
  Patch patches[kMaxPatches]{};
  int n_patches = 0;
  u8 code[kMaxCode]{};
  int code_len = 0;
  int n_insns = 0;
  u32 features = 0;
  // What is compared strictly (mismatch = failure). Everything else is compared too, but a
  // difference only counts as "undefined-differs" (SDM-undefined results), see the docs.
  u64 flags_mask = kArithFlags | kDF;
  u32 strict_regs = 0xffff;    // bit i: GPR i
  bool strict_memory = true;
};

// Builds case `index` of `seed`. Never fails (retries internally with derived streams).
Case make_case(u64 seed, u64 index);

// For the sequence family and --family filters.
Family family_by_name(const std::string& name);

// Self-check: how many templates each family has (every family must have at least one).
std::vector<int> templates_per_family();

}  // namespace bmbt::x86diff
