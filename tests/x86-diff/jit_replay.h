// The JIT replay of a corpus and its report, shared by x86-diff-replay-jit (LoongArch Linux,
// replay_jit.cpp) and the bare-metal image's bmbt.replay mode, so both print the same lines:
//   MISMATCH in corpus vector I (x86-diff --seed S --case N), bytes .. .. (exit)
//     differs: ...                                   (first kMaxJitReports mismatches)
//   JIT replay: N vectors, N compared, N unsupported, N mismatches
// Freestanding; `print` receives text that ends in a newline (one or more lines).
#pragma once
#include "replay_core.h"

namespace bmbt::x86diff {

constexpr u64 kMaxJitReports = 20;

// Replays the corpus through `executor` (built on the JIT) and prints the mismatch reports and,
// unless the corpus is malformed (the caller names the file in its error), the summary line.
template <class Print>
ReplayCounts run_jit_replay(const u8* data, usize size, VectorExecutor& executor, Print print) {
  u64 reported = 0;
  ReplayCounts c = replay_vectors(data, size, executor,
      [&](const corpus::Vector& v, const VectorResult& b, const CompareResult&, const TextBuf& detail, u64 at) {
        if (reported++ >= kMaxJitReports) return;
        FixedText<512> line;
        line.str("MISMATCH in corpus vector ").udec(at).str(" (x86-diff --seed ").udec(v.seed).str(" --case ").udec(v.index)
            .str("), bytes");
        for (int i = 0; i < v.code_len; ++i) line.ch(' ').hex(v.code[i], 2);
        line.str(" (");
        describe_exit(b, line);
        line.str(")\n");
        print(line.c_str());
        print(detail.c_str());
      });
  if (c.malformed) return c;
  FixedText<160> summary;
  summary.str("JIT replay: ").udec(c.total).str(" vectors, ").udec(c.compared).str(" compared, ").udec(c.unsupported)
      .str(" unsupported, ").udec(c.mismatches).str(" mismatches\n");
  print(summary.c_str());
  return c;
}

// The exit status both replays end with: a mismatch, or nothing compared at all, is a failure.
inline int jit_replay_status(const ReplayCounts& c) { return c.mismatches || c.compared == 0 ? 1 : 0; }

}  // namespace bmbt::x86diff
