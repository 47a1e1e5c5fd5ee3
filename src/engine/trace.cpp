#include "engine/trace.h"

namespace bmbt::engine {

namespace {
struct Category { const char* name; u32 flag; const char* help; };
constexpr Category kCategories[] = {
    {"in_asm", kTraceInAsm, "show x86 code of each translated block"},
    {"ir", kTraceIr, "show the IR of each translated block"},
    {"ir_opt", kTraceIrOpt, "show the IR after optimisation passes"},
    {"out_asm", kTraceOutAsm, "show the LoongArch code generated for each block"},
    {"exec", kTraceExec, "show every executed block"},
    {"stats", kTraceStats, "print translation and execution statistics at exit"},
};

bool same(const char* a, usize alen, const char* b) {
  usize i = 0;
  for (; i < alen; ++i)
    if (b[i] != a[i]) return false;
  return b[i] == 0;
}
}  // namespace

bool parse_trace_flags(const char* list, u32* flags, TextBuf& err) {
  const char* p = list;
  while (*p) {
    const char* start = p;
    while (*p && *p != ',') ++p;
    usize len = usize(p - start);
    if (*p == ',') ++p;
    if (len == 0) continue;
    bool found = false;
    for (const Category& c : kCategories) {
      if (same(start, len, c.name)) { *flags |= c.flag; found = true; }
    }
    if (!found) {
      if (!same(start, len, "help")) err.str("unknown -d category '").str(start, len).str("'; ");
      err.str("categories:");
      for (const Category& c : kCategories) err.str("\n  ").str(c.name).pad_to(err.size() + 0, false).str("  ").str(c.help);
      return false;
    }
  }
  return true;
}

}  // namespace bmbt::engine
