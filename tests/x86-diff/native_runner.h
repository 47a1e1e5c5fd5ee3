// The oracle: runs test cases on the host CPU in a persistent child process. The child maps the
// data window and the code page at their fixed addresses and lives inside its own signal
// handler: each case is entered by returning from a signal with the case's registers, RFLAGS
// and RIP written into the signal frame, and ends with the next signal (the int3 after the
// code or at a branch target, a fetch fault at a branch target, #PF, #DE, #UD), whose frame
// holds the final state. FS/GS bases are set with arch_prctl.
#pragma once
#include <sys/types.h>

#include "generator.h"

namespace bmbt::x86diff {

struct Outcome {
  State out{};
  ExitKind kind = ExitKind::kOther;
  int signal = 0;
  u64 fault_addr = 0;
  u8 window[kWindowSize];
};

class NativeRunner {
 public:
  static constexpr int kBatch = 128;
  NativeRunner();
  ~NativeRunner();
  // Runs `n` <= kBatch cases; outcome i belongs to case i.
  void run(const Case* cases, int n, Outcome* out);

 private:
  void start();
  void stop();
  struct Shared* shm_ = nullptr;
  pid_t child_ = -1;
  int cmd_fd_ = -1, resp_fd_ = -1;
};

}  // namespace bmbt::x86diff
