// Extras that only the hosted (Linux) builds have: the command-line tool uses these.
#pragma once

namespace bmbt::platform {
// Sends log_line output to this file descriptor (-D logfile). Default: stderr.
void set_log_fd(int fd);
}  // namespace bmbt::platform
