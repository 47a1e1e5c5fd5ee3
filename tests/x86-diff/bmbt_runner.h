// BMBT's side of a generated test case (the vector executor of vector_exec.h on guest RAM this
// process maps), with the outcome as the hosted reports want it.
#pragma once
#include <memory>
#include <string>

#include "generator.h"

namespace bmbt::x86diff {

struct BmbtOutcome {
  State out{};
  ExitKind kind = ExitKind::kOther;
  bool unsupported = false;   // an IR exit with ExitReason::kUndefined (or a decode error)
  std::string exit_text;      // exit reason / fault description for reports
  const u8* window = nullptr; // final window contents (valid until the next run)
};

}  // namespace bmbt::x86diff
namespace bmbt::engine { class ExecBackend; }
namespace bmbt::x86diff {

class VectorExecutor;
struct VectorResult;

class BmbtRunner {
 public:
  // Without an executor the IR interpreter runs the blocks; with one (the LoongArch JIT on a
  // LoongArch host, or in the simulator) that executor does, after a flush per case.
  // `flag_groups`: translate for the LBT flag strategy (an executor that runs it).
  explicit BmbtRunner(engine::ExecBackend* exec = nullptr, bool flag_groups = false);
  ~BmbtRunner();
  BmbtOutcome run(const Case& c);
  // For corpus replays (replay_core.h), which feed recorded vectors to the executor directly.
  VectorExecutor& executor();
  static BmbtOutcome outcome(const VectorResult& r);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bmbt::x86diff
