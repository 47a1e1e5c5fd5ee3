// BMBT's side of a test case: frontend (Zydis decode + IR generation), the default IR passes
// and the IR interpreter, on a guest RAM that covers the data window and the code page at the
// same addresses as natively (guest virtual == guest physical today).
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

class BmbtRunner {
 public:
  // Without an executor the IR interpreter runs the blocks; with one (the LoongArch JIT on a
  // LoongArch host, or in the simulator) that executor does, after a flush per case.
  // `flag_groups`: translate for the LBT flag strategy (an executor that runs it).
  explicit BmbtRunner(engine::ExecBackend* exec = nullptr, bool flag_groups = false);
  ~BmbtRunner();
  BmbtOutcome run(const Case& c);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bmbt::x86diff
