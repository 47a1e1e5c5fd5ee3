// Runs the guest image named "kernel" (a flat demo image today) with BMBT's engine, the way
// tools/bmbt does on a hosted build, then powers off.
#include "backend-la64/jit_backend.h"
#include "board.h"
#include "boot/flat_image.h"
#include "boot_info.h"
#include "csr.h"
#include "engine/engine.h"
#include "engine/interpreter.h"
#include "kernel.h"
#include "make.h"
#include "platform/platform.h"
#include "power.h"
#include "support/log.h"

namespace bmbt::baremetal {

namespace {
u64 parse_mib(const char* s, u64 fallback) {
  if (!s || !*s) return fallback;
  u64 v = 0;
  for (; *s >= '0' && *s <= '9'; ++s) v = v * 10 + u64(*s - '0');
  return v ? v : fallback;
}

bool equals(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

[[noreturn]] void fail(const char* what) {
  LogLine().str("bmbt: ").str(what);
  platform::exit(1);
}
}  // namespace

void run_guest(const CommandLine& cl) {
  const BootFile* kernel = find_boot_file("kernel");
  if (!kernel) {
    LogLine().str("bmbt: no guest image (fw_cfg opt/bmbt/kernel or \\bmbt\\kernel on the ESP); powering off");
    power_off();
  }
  u64 ram_size = parse_mib(cl.value("bmbt.mem"), 128) << 20;
  const char* accel = cl.value("bmbt.accel");
  bool use_jit = !accel || equals(accel, "jit");
  // Flag strategy: bmbt.lbt=on|off|auto (default auto), as -accel lbt= in the hosted bmbt. The
  // CPU reports LBT in CPUCFG2 bit 18; using it needs EUEN.BTE, else every LBT instruction traps.
  const char* lbt = cl.value("bmbt.lbt");
  if (lbt && !equals(lbt, "on") && !equals(lbt, "off") && !equals(lbt, "auto")) {
    LogLine().str("bmbt: bmbt.lbt=").str(lbt).str(": expected on, off or auto");
    platform::exit(2);
  }
  const bool host_lbt = platform::host_features().lbt;
  if (lbt && equals(lbt, "on") && !host_lbt) {
    LogLine().str("bmbt: bmbt.lbt=on: this CPU has no LBT extension (CPUCFG2 bit 18 is clear)");
    platform::exit(2);
  }
  const bool use_lbt = use_jit && host_lbt && !(lbt && equals(lbt, "off"));
  if (use_lbt) csr_xchg<CSR_EUEN>(kEuenBte, kEuenBte);

  auto* machine = make<devices::Machine>();
  u8* ram = static_cast<u8*>(platform::alloc_pages(ram_size));
  if (!machine || !ram) fail("not enough memory for the guest");
  machine->memory.attach_ram(ram, ram_size);
  u64 entry = 0;
  FixedText<256> err;
  if (!boot::load_flat_image(*machine, static_cast<const u8*>(phys_to_virt(kernel->pa)), kernel->size, &entry, err)) {
    LogLine().str("bmbt: guest image: ").str(err.c_str());
    platform::exit(1);
  }

  engine::ExecBackend* exec = nullptr;
  if (use_jit) {
    auto* jit = make<la64::JitBackend>();
    FixedText<256> jit_err;
    if (!jit || !jit->init(jit_err, false, use_lbt)) {
      LogLine().str("bmbt: ").str(jit_err.c_str());
      platform::exit(1);
    }
    exec = jit;
  } else {
    constexpr usize kPoolInsts = usize(1) << 20;
    auto* pool = static_cast<ir::Inst*>(platform::alloc_pages(kPoolInsts * sizeof(ir::Inst)));
    if (!pool) fail("not enough memory for the interpreter");
    exec = make<engine::InterpreterBackend>(pool, kPoolInsts);
  }
  auto* lister = make<la64::Lister>();
  engine::EngineConfig config;
  config.limits.flag_groups = use_lbt;
  auto* eng = make<engine::Engine>(*machine, *exec, lister, config);
  if (!eng) fail("not enough memory for the engine");
  LogLine().str("bmbt: running the guest (").udec(kernel->size).str(" bytes, entry ").hex0x(entry).str(", ")
      .str(use_jit ? (use_lbt ? "jit, LBT flags" : "jit, software flags") : "interp").str(", ").udec(ram_size >> 20)
      .str(" MiB RAM)");
  eng->vcpu().cpu.regs[kRIP] = entry;
  engine::StopKind stop = eng->run();
  switch (stop) {
    case engine::StopKind::kHalted: LogLine().str("bmbt: guest halted"); platform::exit(0);
    case engine::StopKind::kGuestError: platform::exit(1);
    case engine::StopKind::kInsnLimit: platform::exit(4);
    case engine::StopKind::kInternal: platform::exit(3);
  }
  platform::exit(3);
}

}  // namespace bmbt::baremetal
