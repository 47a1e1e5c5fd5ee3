// Comparison of a native outcome with BMBT's: exit kind, RIP, strictly compared GPRs, the
// defined RFLAGS bits and the window are "mismatches"; differences only in results the SDM
// leaves undefined (flags outside the mask, registers/memory outside the strict sets) are
// counted separately as "undefined-differs" and never fail a run.
#pragma once
#include <cstdio>
#include <string>

#include "layout.h"

namespace bmbt::x86diff {

struct Expectation {
  u64 flags_mask;
  u32 strict_regs;
  bool strict_memory;
};

struct Verdict {
  bool mismatch = false;
  bool undefined_differs = false;
  std::string detail;  // one line per difference
};

inline const char* gpr_name(int i) {
  static const char* const n[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
  return n[i];
}

inline Verdict compare_outcomes(ExitKind native_kind, const State& native, const u8* native_window, ExitKind bmbt_kind,
                                const State& bmbt, const u8* bmbt_window, const Expectation& x) {
  Verdict v;
  char line[200];
  auto add = [&](bool strict, const char* text) {
    (strict ? v.mismatch : v.undefined_differs) = true;
    v.detail += strict ? "  differs: " : "  differs (SDM-undefined, not a failure): ";
    v.detail += text;
    v.detail += "\n";
  };
  if (native_kind != bmbt_kind) {
    std::snprintf(line, sizeof line, "exit native=%s bmbt=%s", exit_kind_name(native_kind), exit_kind_name(bmbt_kind));
    add(true, line);
  }
  if (native.rip != bmbt.rip) {
    std::snprintf(line, sizeof line, "rip native=%#llx bmbt=%#llx", (unsigned long long)native.rip, (unsigned long long)bmbt.rip);
    add(true, line);
  }
  for (int i = 0; i < 16; ++i) {
    if (native.gpr[i] == bmbt.gpr[i]) continue;
    std::snprintf(line, sizeof line, "%s native=%#llx bmbt=%#llx", gpr_name(i), (unsigned long long)native.gpr[i],
                  (unsigned long long)bmbt.gpr[i]);
    add((x.strict_regs >> i) & 1, line);
  }
  const u64 all = kArithFlags | kDF;
  u64 diff = (native.rflags ^ bmbt.rflags) & all;
  if (diff) {
    std::snprintf(line, sizeof line, "rflags native=%#llx bmbt=%#llx (differing bits %#llx, compared %#llx)",
                  (unsigned long long)(native.rflags & all), (unsigned long long)(bmbt.rflags & all),
                  (unsigned long long)diff, (unsigned long long)x.flags_mask);
    add((diff & x.flags_mask) != 0, line);
  }
  int shown = 0;
  bool mem_diff = false;
  for (u64 i = 0; i < kWindowSize; ++i) {
    if (native_window[i] == bmbt_window[i]) continue;
    mem_diff = true;
    if (shown++ < 8) {
      std::snprintf(line, sizeof line, "memory %#llx native=%02x bmbt=%02x", (unsigned long long)(kWindowBase + i),
                    native_window[i], bmbt_window[i]);
      add(x.strict_memory, line);
    }
  }
  if (mem_diff && shown > 8) {
    std::snprintf(line, sizeof line, "... %d differing bytes in all", shown);
    add(x.strict_memory, line);
  }
  return v;
}

}  // namespace bmbt::x86diff
