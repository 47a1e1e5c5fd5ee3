// Replaying a recorded corpus (corpus_format.h) through a VectorExecutor and comparing every
// vector with its recorded native outcome. Freestanding: the hosted tools (replay.h) and the
// bare-metal replay run this one loop; each decides how to report a mismatch.
#pragma once
#include "compare_core.h"
#include "corpus_format.h"
#include "vector_exec.h"

namespace bmbt::x86diff {

struct ReplayCounts {
  u64 total = 0, compared = 0, unsupported = 0, mismatches = 0;
  bool malformed = false;  // the corpus ended in a bad record (or had a foreign layout)
};

// Runs every vector of the corpus in data[0, size); report(vector, result, compare, detail,
// vector_index) is called per mismatch, with the difference lines in `detail`.
template <class Report>
ReplayCounts replay_vectors(const u8* data, usize size, VectorExecutor& executor, Report report) {
  ReplayCounts c;
  corpus::Reader reader(data, size);
  if (!reader.valid()) { c.malformed = true; return c; }
  corpus::Vector v;
  static u8 expected[kWindowSize];
  FixedText<kCompareDetailBytes> detail;
  while (reader.next(v)) {
    ++c.total;
    VectorResult b = executor.run(VectorInput{&v.in, v.mem_seed, v.patches, v.n_patches, v.code, v.code_len, v.n_insns});
    if (b.unsupported) { ++c.unsupported; continue; }
    ++c.compared;
    v.expected_window(expected);
    detail.clear();
    CompareResult r = compare_outcomes_into(v.exit_kind, v.out, expected, b.kind, b.out, b.window,
                                            Expectation{v.flags_mask, v.strict_regs, v.strict_memory}, detail);
    if (r.mismatch) {
      ++c.mismatches;
      report(v, b, r, static_cast<const TextBuf&>(detail), c.total - 1);
    }
  }
  c.malformed = !reader.valid();
  return c;
}

}  // namespace bmbt::x86diff
