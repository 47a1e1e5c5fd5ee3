// Replays a corpus recorded on the x86-64 host CPU (x86-diff --record) through BMBT's frontend,
// passes and LoongArch JIT, on a LoongArch host (under qemu-loongarch64 here). Every vector's
// native outcome is the oracle; see docs/x86-differential-testing.md for the format. The
// bare-metal image replays the same corpus with the same code (jit_replay.h, bmbt.replay).
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "backend-la64/jit_backend.h"
#include "jit_replay.h"
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
  ReplayCounts c = run_jit_replay(data.data(), data.size(), bmbt.executor(), [](const char* text) { std::fputs(text, stdout); });
  if (c.malformed) {
    std::fprintf(stderr, "%s is not a corpus of this layout or has a malformed record after %" PRIu64 " vectors\n", argv[1],
                 c.total);
    return 2;
  }
  return jit_replay_status(c);
}
