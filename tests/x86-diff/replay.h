// Replaying a recorded corpus through a BmbtRunner (interpreter or simulator on the host, JIT on
// LoongArch): reading the file, and the loop of replay_core.h with the outcome and verdict as the
// hosted reports want them.
#pragma once
#include <cstdio>
#include <vector>

#include "bmbt_runner.h"
#include "compare.h"
#include "replay_core.h"

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

// Runs every vector; report(vector, outcome, verdict, vector_index) is called per mismatch.
template <class Report>
ReplayCounts replay_corpus(const std::vector<u8>& data, BmbtRunner& bmbt, Report report) {
  return replay_vectors(data.data(), data.size(), bmbt.executor(),
                        [&](const corpus::Vector& v, const VectorResult& b, const CompareResult& r, const TextBuf& detail, u64 at) {
                          report(v, BmbtRunner::outcome(b), Verdict{r.mismatch, r.undefined_differs, detail.c_str()}, at);
                        });
}

}  // namespace bmbt::x86diff
