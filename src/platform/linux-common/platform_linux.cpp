// Platform functions shared by both Linux builds (x86-64 development host, LoongArch64 Linux).
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "platform/linux-common/linux_host.h"
#include "platform/platform.h"

namespace bmbt::platform {

namespace {
int g_log_fd = 2;

void write_all(int fd, const char* p, usize n) {
  while (n) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= usize(w);
  }
}
}  // namespace

void set_log_fd(int fd) { g_log_fd = fd; }

void console_write(const char* data, usize len) { write_all(1, data, len); }

void log_line(const char* text) {
  usize n = std::strlen(text);
  // One write per line keeps lines whole when stdout and stderr share a terminal.
  char buf[1024];
  if (n + 1 <= sizeof(buf)) {
    std::memcpy(buf, text, n);
    buf[n] = '\n';
    write_all(g_log_fd, buf, n + 1);
  } else {
    write_all(g_log_fd, text, n);
    write_all(g_log_fd, "\n", 1);
  }
}

void* alloc_pages(usize bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

u64 now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return u64(ts.tv_sec) * 1000000000u + u64(ts.tv_nsec);
}

void exit(int status) { std::_Exit(status); }

}  // namespace bmbt::platform
