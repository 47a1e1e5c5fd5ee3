// bmbt.replay: the x86-diff corpus (test vectors recorded on an x86-64 CPU, boot file "corpus")
// through BMBT's frontend, IR passes and the LoongArch JIT on bare metal, with the code and the
// report of the hosted x86-diff-replay-jit (tests/x86-diff/jit_replay.h), then power-off with
// status 0 when nothing mismatched, 1 otherwise (2: no usable corpus).
#include "backend-la64/jit_backend.h"
#include "board.h"
#include "boot_info.h"
#include "console.h"
#include "jit_replay.h"
#include "kernel.h"
#include "make.h"
#include "memory.h"
#include "platform/platform.h"
#include "support/log.h"

namespace bmbt::baremetal {

namespace {
[[noreturn]] void fail(const char* what) {
  LogLine().str("bmbt: bmbt.replay: ").str(what);
  platform::exit(2);
}
}  // namespace

void run_replay() {
  const BootFile* file = find_boot_file("corpus");
  if (!file) fail("no boot file \"corpus\" (fw_cfg opt/bmbt/corpus, or \\bmbt\\corpus on the ESP)");
  // The flag strategy of the hosted replay: software flags (no LoongArch emulator has LBT).
  auto* jit = make<la64::JitBackend>();
  FixedText<256> err;
  if (!jit || !jit->init(err)) {
    LogLine().str("bmbt: bmbt.replay: JIT: ").str(err.c_str());
    platform::exit(2);
  }
  // Zero-filled like the hosted runner's anonymous mapping, so untouched guest RAM reads the same.
  auto* ram = static_cast<u8*>(platform::alloc_pages(x86diff::kGuestRamSize));
  auto* executor = ram ? make<x86diff::VectorExecutor>(ram, jit, false) : nullptr;
  if (!executor) fail("not enough memory for the guest RAM of the test vectors");
  LogLine().str("bmbt: replaying the x86-diff corpus (boot file \"corpus\", ").udec(file->size)
      .str(" bytes) through the JIT");
  x86diff::ReplayCounts c = x86diff::run_jit_replay(static_cast<const u8*>(phys_to_virt(file->pa)), file->size, *executor,
                                                    [](const char* text) { console_put(text, __builtin_strlen(text)); });
  if (c.malformed) {
    LogLine().str("bmbt: bmbt.replay: boot file \"corpus\" is not an x86-diff corpus of this layout or has a malformed record after ")
        .udec(c.total).str(" vectors");
    platform::exit(2);
  }
  platform::exit(x86diff::jit_replay_status(c));
}

}  // namespace bmbt::baremetal
