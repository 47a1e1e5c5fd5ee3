// Replaying a recorded corpus through a BmbtRunner (interpreter on the host, JIT on LoongArch):
// the loop both tools share; each decides how to report a mismatch.
#pragma once
#include <cstdio>
#include <cstring>
#include <vector>

#include "bmbt_runner.h"
#include "compare.h"
#include "corpus_format.h"

namespace bmbt::x86diff {

inline bool read_corpus_file(const char* path, std::vector<u8>* data) {
  FILE* f = std::fopen(path, "rb");
  if (!f) { std::perror(path); return false; }
  u8 buf[1 << 16];
  usize n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data->insert(data->end(), buf, buf + n);
  std::fclose(f);
  return true;
}

struct ReplayCounts {
  u64 total = 0, compared = 0, unsupported = 0, mismatches = 0;
  bool malformed = false;  // the corpus ended in a bad record (or had a foreign layout)
};

// Runs every vector; report(vector, outcome, verdict, vector_index) is called per mismatch.
template <class Report>
ReplayCounts replay_corpus(const std::vector<u8>& data, BmbtRunner& bmbt, Report report) {
  ReplayCounts c;
  corpus::Reader reader(data.data(), data.size());
  if (!reader.valid()) { c.malformed = true; return c; }
  corpus::Vector v;
  static u8 expected[kWindowSize];
  while (reader.next(v)) {
    ++c.total;
    Case k;
    k.family = Family(v.family);
    k.seed = v.seed;
    k.index = v.index;
    k.in = v.in;
    k.mem_seed = v.mem_seed;
    k.n_patches = v.n_patches;
    for (int i = 0; i < v.n_patches; ++i) k.patches[i] = v.patches[i];
    std::memcpy(k.code, v.code, v.code_len);
    k.code_len = v.code_len;
    k.n_insns = v.n_insns;
    BmbtOutcome b = bmbt.run(k);
    if (b.unsupported) { ++c.unsupported; continue; }
    ++c.compared;
    v.expected_window(expected);
    Verdict verdict = compare_outcomes(v.exit_kind, v.out, expected, b.kind, b.out, b.window,
                                       Expectation{v.flags_mask, v.strict_regs, v.strict_memory});
    if (verdict.mismatch) {
      ++c.mismatches;
      report(v, b, verdict, c.total - 1);
    }
  }
  c.malformed = !reader.valid();
  return c;
}

}  // namespace bmbt::x86diff
