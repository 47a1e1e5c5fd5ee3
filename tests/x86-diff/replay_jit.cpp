// Replays a corpus recorded on the x86-64 host CPU (x86-diff --record) through BMBT's frontend,
// passes and LoongArch JIT, on a LoongArch host (under qemu-loongarch64 here). Every vector's
// native outcome is the oracle; see docs/x86-differential-testing.md for the format.
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "backend-la64/jit_backend.h"
#include "replay.h"

using namespace bmbt;
using namespace bmbt::x86diff;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: x86-diff-replay-jit CORPUS\n");
    return 2;
  }
  std::vector<u8> data;
  if (!read_corpus_file(argv[1], &data)) return 2;
  static la64::JitBackend jit;
  FixedText<200> err;
  if (!jit.init(err)) { std::fprintf(stderr, "JIT: %s\n", err.c_str()); return 2; }
  BmbtRunner bmbt(&jit);
  u64 reported = 0;
  ReplayCounts c = replay_corpus(data, bmbt, [&](const corpus::Vector& v, const BmbtOutcome& b, const Verdict& verdict, u64 at) {
    if (reported++ >= 20) return;
    std::printf("MISMATCH in corpus vector %" PRIu64 " (x86-diff --seed %" PRIu64 " --case %" PRIu64 "), bytes", at, v.seed,
                v.index);
    for (int i = 0; i < v.code_len; ++i) std::printf(" %02x", v.code[i]);
    std::printf(" (%s)\n%s", b.exit_text.c_str(), verdict.detail.c_str());
  });
  if (c.malformed) {
    std::fprintf(stderr, "%s is not a corpus of this layout or has a malformed record after %" PRIu64 " vectors\n", argv[1],
                 c.total);
    return 2;
  }
  std::printf("JIT replay: %" PRIu64 " vectors, %" PRIu64 " compared, %" PRIu64 " unsupported, %" PRIu64 " mismatches\n",
              c.total, c.compared, c.unsupported, c.mismatches);
  return c.mismatches || c.compared == 0 ? 1 : 0;
}
