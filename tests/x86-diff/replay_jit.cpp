// Replays a corpus recorded on the x86-64 host CPU (x86-diff --record) through BMBT's frontend,
// passes and LoongArch JIT, on a LoongArch host (under qemu-loongarch64 here). Every vector's
// native outcome is the oracle; see docs/x86-differential-testing.md for the format.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <vector>

#include "backend-la64/jit_backend.h"
#include "bmbt_runner.h"
#include "compare.h"
#include "corpus_format.h"

using namespace bmbt;
using namespace bmbt::x86diff;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: x86-diff-replay-jit CORPUS\n");
    return 2;
  }
  FILE* f = std::fopen(argv[1], "rb");
  if (!f) { std::perror(argv[1]); return 2; }
  std::vector<u8> data;
  u8 buf[1 << 16];
  usize n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.insert(data.end(), buf, buf + n);
  std::fclose(f);
  corpus::Reader reader(data.data(), data.size());
  if (!reader.valid()) { std::fprintf(stderr, "%s is not a corpus of this layout\n", argv[1]); return 2; }

  static la64::JitBackend jit;
  FixedText<200> err;
  if (!jit.init(err)) { std::fprintf(stderr, "JIT: %s\n", err.c_str()); return 2; }
  BmbtRunner bmbt(&jit);
  corpus::Vector v;
  u64 total = 0, compared = 0, unsupported = 0, mismatches = 0;
  static u8 expected[kWindowSize];
  while (reader.next(v)) {
    ++total;
    Case c;
    c.family = Family(v.family);
    c.seed = v.seed;
    c.index = v.index;
    c.in = v.in;
    c.mem_seed = v.mem_seed;
    c.n_patches = v.n_patches;
    for (int i = 0; i < v.n_patches; ++i) c.patches[i] = v.patches[i];
    std::memcpy(c.code, v.code, v.code_len);
    c.code_len = v.code_len;
    c.n_insns = v.n_insns;
    BmbtOutcome b = bmbt.run(c);
    if (b.unsupported) { ++unsupported; continue; }
    ++compared;
    v.expected_window(expected);
    Verdict verdict = compare_outcomes(v.exit_kind, v.out, expected, b.kind, b.out, b.window,
                                       Expectation{v.flags_mask, v.strict_regs, v.strict_memory});
    if (verdict.mismatch && ++mismatches <= 20) {
      std::printf("MISMATCH in corpus vector %" PRIu64 " (x86-diff --seed %" PRIu64 " --case %" PRIu64 "), bytes",
                  total - 1, v.seed, v.index);
      for (int i = 0; i < v.code_len; ++i) std::printf(" %02x", v.code[i]);
      std::printf(" (%s)\n%s", b.exit_text.c_str(), verdict.detail.c_str());
    }
  }
  if (!reader.valid()) { std::fprintf(stderr, "malformed record after %" PRIu64 " vectors\n", total); return 2; }
  std::printf("JIT replay: %" PRIu64 " vectors, %" PRIu64 " compared, %" PRIu64 " unsupported, %" PRIu64 " mismatches\n",
              total, compared, unsupported, mismatches);
  return mismatches || compared == 0 ? 1 : 0;
}
