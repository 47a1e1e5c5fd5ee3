#include "support/log.h"

#include "platform/platform.h"

namespace bmbt {

LogLine::~LogLine() {
  if (truncated()) str(" [line truncated]");
  platform::log_line(c_str());
}

}  // namespace bmbt
