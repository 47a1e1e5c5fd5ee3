#include "bmbt_runner.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>

#include "vector_exec.h"

namespace bmbt::x86diff {

namespace {
// Only the touched pages of the guest RAM are backed.
u8* map_guest_ram() {
  void* p = mmap(nullptr, kGuestRamSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) { std::perror("x86-diff: guest RAM"); std::exit(2); }
  return static_cast<u8*>(p);
}
}  // namespace

struct BmbtRunner::Impl {
  Impl(engine::ExecBackend* exec, bool flag_groups) : ram(map_guest_ram()), executor(ram, exec, flag_groups) {}
  ~Impl() { munmap(ram, kGuestRamSize); }
  u8* ram;
  VectorExecutor executor;
};

BmbtRunner::BmbtRunner(engine::ExecBackend* exec, bool flag_groups) : impl_(std::make_unique<Impl>(exec, flag_groups)) {}

BmbtRunner::~BmbtRunner() = default;

VectorExecutor& BmbtRunner::executor() { return impl_->executor; }

BmbtOutcome BmbtRunner::outcome(const VectorResult& r) {
  BmbtOutcome o;
  o.out = r.out;
  o.kind = r.kind;
  o.unsupported = r.unsupported;
  FixedText<128> text;
  describe_exit(r, text);
  o.exit_text = text.c_str();
  o.window = r.window;
  return o;
}

BmbtOutcome BmbtRunner::run(const Case& c) {
  return outcome(impl_->executor.run(VectorInput{&c.in, c.mem_seed, c.patches, c.n_patches, c.code, c.code_len, c.n_insns}));
}

}  // namespace bmbt::x86diff
