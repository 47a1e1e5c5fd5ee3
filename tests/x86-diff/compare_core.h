// Comparison of a native outcome with BMBT's: exit kind, RIP, strictly compared GPRs, the
// defined RFLAGS bits and the window are "mismatches"; differences only in results the SDM
// leaves undefined (flags outside the mask, registers/memory outside the strict sets) are
// counted separately as "undefined-differs" and never fail a run.
// Freestanding (types.h + TextBuf): the hosted tools (compare.h wraps it in std::string) and the
// bare-metal replay (bmbt.replay) compare with this one function and report the same lines.
#pragma once
#include "layout.h"
#include "support/text.h"

namespace bmbt::x86diff {

struct Expectation {
  u64 flags_mask;
  u32 strict_regs;
  bool strict_memory;
};

struct CompareResult {
  bool mismatch = false;
  bool undefined_differs = false;
};

// Room for every difference line compare_outcomes_into can write (exit, rip, 16 GPRs, rflags,
// 8 memory bytes and the byte count, each under 140 characters).
constexpr usize kCompareDetailBytes = 4096;

inline const char* gpr_name(int i) {
  static const char* const n[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
  return n[i];
}

// printf's "%#llx" ("0" for zero, else 0x + lowercase hex): the reports keep the text they had
// when they were printed with printf.
inline TextBuf& alt_hex(TextBuf& t, u64 v) { return v ? t.hex0x(v) : t.str("0"); }

// Appends one line per difference to `detail` ("  differs: ...\n", or "  differs (SDM-undefined,
// not a failure): ...\n").
inline CompareResult compare_outcomes_into(ExitKind native_kind, const State& native, const u8* native_window,
                                           ExitKind bmbt_kind, const State& bmbt, const u8* bmbt_window,
                                           const Expectation& x, TextBuf& detail) {
  CompareResult r;
  FixedText<200> line;
  auto add = [&](bool strict) {
    (strict ? r.mismatch : r.undefined_differs) = true;
    detail.str(strict ? "  differs: " : "  differs (SDM-undefined, not a failure): ").str(line.c_str()).ch('\n');
    line.clear();
  };
  auto pair = [&](const char* what, u64 n, u64 b) {
    line.str(what).str(" native=");
    alt_hex(line, n).str(" bmbt=");
    alt_hex(line, b);
  };
  if (native_kind != bmbt_kind) {
    line.str("exit native=").str(exit_kind_name(native_kind)).str(" bmbt=").str(exit_kind_name(bmbt_kind));
    add(true);
  }
  if (native.rip != bmbt.rip) {
    pair("rip", native.rip, bmbt.rip);
    add(true);
  }
  for (int i = 0; i < 16; ++i) {
    if (native.gpr[i] == bmbt.gpr[i]) continue;
    pair(gpr_name(i), native.gpr[i], bmbt.gpr[i]);
    add((x.strict_regs >> i) & 1);
  }
  const u64 all = kArithFlags | kDF;
  u64 diff = (native.rflags ^ bmbt.rflags) & all;
  if (diff) {
    pair("rflags", native.rflags & all, bmbt.rflags & all);
    line.str(" (differing bits ");
    alt_hex(line, diff).str(", compared ");
    alt_hex(line, x.flags_mask).str(")");
    add((diff & x.flags_mask) != 0);
  }
  int shown = 0;
  bool mem_diff = false;
  for (u64 i = 0; i < kWindowSize; ++i) {
    if (native_window[i] == bmbt_window[i]) continue;
    mem_diff = true;
    if (shown++ < 8) {
      line.str("memory ");
      alt_hex(line, kWindowBase + i).str(" native=").hex(native_window[i], 2).str(" bmbt=").hex(bmbt_window[i], 2);
      add(x.strict_memory);
    }
  }
  if (mem_diff && shown > 8) {
    line.str("... ").dec(shown).str(" differing bytes in all");
    add(x.strict_memory);
  }
  return r;
}

}  // namespace bmbt::x86diff
