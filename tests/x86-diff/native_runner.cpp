#include "native_runner.h"

#include <asm/prctl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace bmbt::x86diff {

struct Slot {
  State in;
  u8 code[kMaxCode];
  u32 code_len;
  u8 window[kWindowSize];
};
struct Result {
  State out;
  u32 kind;
  u32 signal;
  u64 fault_addr;
  u8 window[kWindowSize];
};
struct Shared {
  volatile u32 progress;  // case the child is working on (for reporting a lost child)
  Slot in[NativeRunner::kBatch];
  Result out[NativeRunner::kBatch];
};

namespace {

// ---- the child: everything below runs without touching TLS (FS may hold a guest value) ----

Shared* g_shm;
int g_cmd_fd, g_resp_fd;
u64 g_tls_base;
int g_cur = -1;
u32 g_count = 0;
u32 g_code_len = 0;

inline long sys3(long n, long a, long b, long c) {
  long r;
  asm volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

// ucontext register slots in x86 encoding order.
const int kGregOf[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                         REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

void copy(void* d, const void* s, usize n) {
  u8* dd = static_cast<u8*>(d);
  const u8* ss = static_cast<const u8*>(s);
  for (usize i = 0; i < n; ++i) dd[i] = ss[i];
}

__attribute__((no_stack_protector)) void on_signal(int sig, siginfo_t* si, void* ucv) {
  sys3(SYS_arch_prctl, ARCH_SET_FS, long(g_tls_base), 0);
  ucontext_t* uc = static_cast<ucontext_t*>(ucv);
  greg_t* g = uc->uc_mcontext.gregs;
  u8* code = reinterpret_cast<u8*>(kCodeAddr);
  if (g_cur >= 0) {
    Result& r = g_shm->out[g_cur];
    for (int i = 0; i < 16; ++i) r.out.gpr[i] = u64(g[kGregOf[i]]);
    r.out.rflags = u64(g[REG_EFL]);
    r.out.fs_base = g_shm->in[g_cur].in.fs_base;
    r.out.gs_base = g_shm->in[g_cur].in.gs_base;
    u64 rip = u64(g[REG_RIP]);
    u64 addr = u64(si->si_addr);
    r.signal = u32(sig);
    r.fault_addr = addr;
    if (sig == SIGTRAP) {
      r.kind = u32(ExitKind::kCompleted);
      rip -= 1;  // past the int3
    } else if (sig == SIGSEGV && g[REG_TRAPNO] == 14 && addr == rip) {
      r.kind = u32(ExitKind::kCompleted);  // the branch went to a non-executable target
    } else if (rip == kCodeAddr + g_code_len && !is_canonical(r.out.gpr[4])) {
      // The code ran to its end and left a non-canonical RSP (shrd rsp, ...): on AMD hosts the
      // kernel's return to user mode can then fault at the trap byte (seen as SIGILL or SIGSEGV
      // under load) instead of the int3 trapping. The instructions under test completed.
      r.kind = u32(ExitKind::kCompleted);
    } else if (sig == SIGSEGV || sig == SIGBUS) {
      r.kind = u32(ExitKind::kMemFault);
    } else if (sig == SIGFPE) {
      r.kind = u32(ExitKind::kDivideError);
    } else if (sig == SIGILL) {
      r.kind = u32(ExitKind::kInvalidOpcode);
    } else {
      r.kind = u32(ExitKind::kOther);
    }
    r.out.rip = rip;
    copy(r.window, reinterpret_cast<void*>(kWindowBase), kWindowSize);
    for (u32 i = 0; i < g_code_len; ++i) code[i] = kTrapByte;
  }
  ++g_cur;
  while (u32(g_cur) >= g_count) {
    if (g_cur > 0) {
      char done = 'd';
      if (sys3(SYS_write, g_resp_fd, long(&done), 1) != 1) sys3(SYS_exit_group, 3, 0, 0);
    }
    u32 n = 0;
    if (sys3(SYS_read, g_cmd_fd, long(&n), 4) != 4) sys3(SYS_exit_group, 0, 0, 0);
    g_count = n;
    g_cur = 0;
  }
  g_shm->progress = u32(g_cur);
  const Slot& s = g_shm->in[g_cur];
  copy(reinterpret_cast<void*>(kWindowBase), s.window, kWindowSize);
  copy(code, s.code, s.code_len);
  g_code_len = s.code_len;
  for (int i = 0; i < 16; ++i) g[kGregOf[i]] = greg_t(s.in.gpr[i]);
  g[REG_RIP] = greg_t(s.in.rip);
  g[REG_EFL] = greg_t(s.in.rflags & (kArithFlags | kDF));
  sys3(SYS_arch_prctl, ARCH_SET_GS, long(s.in.gs_base), 0);
  sys3(SYS_arch_prctl, ARCH_SET_FS, long(s.in.fs_base), 0);  // last: no TLS from here on
}

void reserve(u64 lo, u64 hi) {
  // Branch targets that are not ours must fault, never run some library's code.
  mmap(reinterpret_cast<void*>(lo), hi - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
       -1, 0);
}

[[noreturn]] void child_main(Shared* shm, int cmd_fd, int resp_fd) {
  g_shm = shm;
  g_cmd_fd = cmd_fd;
  g_resp_fd = resp_fd;
  void* w = mmap(reinterpret_cast<void*>(kWindowBase), kWindowSize, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  void* c = mmap(reinterpret_cast<void*>(kCodePage), kCodePageSize, PROT_READ | PROT_WRITE | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (w != reinterpret_cast<void*>(kWindowBase) || c != reinterpret_cast<void*>(kCodePage)) {
    std::fprintf(stderr, "x86-diff: cannot map the window/code page at their fixed addresses\n");
    _exit(2);
  }
  std::memset(c, kTrapByte, kCodePageSize);
  reserve(0x10000, kWindowBase);
  reserve(kWindowBase + kWindowSize, kCodePage);
  reserve(kCodePage + kCodePageSize, 0x90100000);
  static u8 altstack[1 << 16];
  stack_t ss{};
  ss.ss_sp = altstack;
  ss.ss_size = sizeof altstack;
  sigaltstack(&ss, nullptr);
  struct sigaction sa{};
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) sigaction(s, &sa, nullptr);
  syscall(SYS_arch_prctl, ARCH_GET_FS, &g_tls_base);
  for (;;) asm volatile("int3");
}

}  // namespace

NativeRunner::NativeRunner() {
  shm_ = static_cast<Shared*>(mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (shm_ == MAP_FAILED) { std::perror("x86-diff: mmap"); std::exit(2); }
  start();
}

NativeRunner::~NativeRunner() {
  stop();
  munmap(shm_, sizeof(Shared));
}

void NativeRunner::start() {
  int cmd[2], resp[2];
  if (pipe(cmd) || pipe(resp)) { std::perror("x86-diff: pipe"); std::exit(2); }
  std::fflush(nullptr);
  child_ = fork();
  if (child_ < 0) { std::perror("x86-diff: fork"); std::exit(2); }
  if (child_ == 0) {
    close(cmd[1]);
    close(resp[0]);
    child_main(shm_, cmd[0], resp[1]);
  }
  close(cmd[0]);
  close(resp[1]);
  cmd_fd_ = cmd[1];
  resp_fd_ = resp[0];
}

void NativeRunner::stop() {
  if (child_ <= 0) return;
  close(cmd_fd_);
  close(resp_fd_);
  kill(child_, SIGKILL);
  waitpid(child_, nullptr, 0);
  child_ = -1;
}

void NativeRunner::run(const Case* cases, int n, Outcome* out) {
  int first = 0;
  while (first < n) {
    int count = n - first;
    for (int i = 0; i < count; ++i) {
      const Case& c = cases[first + i];
      Slot& s = shm_->in[i];
      s.in = c.in;
      std::memcpy(s.code, c.code, usize(c.code_len));
      s.code_len = u32(c.code_len);
      fill_window(c.mem_seed, c.patches, c.n_patches, s.window);
    }
    shm_->progress = 0;
    u32 cmd = u32(count);
    bool ok = write(cmd_fd_, &cmd, 4) == 4;
    pollfd p{resp_fd_, POLLIN, 0};
    char done = 0;
    ok = ok && poll(&p, 1, 20000) == 1 && read(resp_fd_, &done, 1) == 1;
    int finished = ok ? count : int(shm_->progress);
    for (int i = 0; i < finished; ++i) {
      const Result& r = shm_->out[i];
      Outcome& o = out[first + i];
      o.out = r.out;
      o.kind = ExitKind(r.kind);
      o.signal = int(r.signal);
      o.fault_addr = r.fault_addr;
      std::memcpy(o.window, r.window, kWindowSize);
    }
    if (ok) break;
    // The child died or hung on case `finished`: record it as lost and go on with a new child.
    std::fprintf(stderr, "x86-diff: native child lost on seed %llu case %llu; restarting it\n",
                 (unsigned long long)cases[first + finished].seed, (unsigned long long)cases[first + finished].index);
    Outcome& lost = out[first + finished];
    lost.kind = ExitKind::kOther;
    lost.out = cases[first + finished].in;
    lost.signal = -1;
    stop();
    start();
    first += finished + 1;
  }
}

}  // namespace bmbt::x86diff
