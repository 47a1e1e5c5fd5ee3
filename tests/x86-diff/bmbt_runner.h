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

class BmbtRunner {
 public:
  BmbtRunner();
  ~BmbtRunner();
  BmbtOutcome run(const Case& c);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bmbt::x86diff
