// Diagnostics: formatted lines through platform::log_line.
#pragma once
#include "support/text.h"

namespace bmbt {

// A line under construction; printed when it goes out of scope.
class LogLine : public FixedText<512> {
 public:
  LogLine() = default;
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
};

}  // namespace bmbt
