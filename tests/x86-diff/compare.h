// The hosted tools' view of a comparison (compare_core.h): the verdict with its difference lines
// as a std::string, for reports printed next to other std::string text.
#pragma once
#include <string>

#include "compare_core.h"

namespace bmbt::x86diff {

struct Verdict {
  bool mismatch = false;
  bool undefined_differs = false;
  std::string detail;  // one line per difference
};

inline Verdict compare_outcomes(ExitKind native_kind, const State& native, const u8* native_window, ExitKind bmbt_kind,
                                const State& bmbt, const u8* bmbt_window, const Expectation& x) {
  FixedText<kCompareDetailBytes> detail;
  CompareResult r = compare_outcomes_into(native_kind, native, native_window, bmbt_kind, bmbt, bmbt_window, x, detail);
  return Verdict{r.mismatch, r.undefined_differs, detail.c_str()};
}

}  // namespace bmbt::x86diff
