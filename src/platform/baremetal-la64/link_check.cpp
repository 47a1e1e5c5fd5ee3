// Links the whole core into one bare-metal image: the engine with the LoongArch JIT and the
// interpreter, a machine, an (empty) guest. It proves the core needs nothing beyond
// platform.h and runtime.cpp. Running guests on bare metal is the bare-metal platform issue.
#include "backend-la64/jit_backend.h"
#include "boot/flat_image.h"
#include "engine/engine.h"
#include "engine/interpreter.h"
#include "platform/platform.h"
#include "support/log.h"
#include "support/placement_new.h"

using namespace bmbt;

extern "C" void bmbt_baremetal_main() {
  LogLine().str("BMBT bare-metal core link check");
  auto* machine = new (platform::alloc_pages(sizeof(devices::Machine))) devices::Machine();
  auto* jit = new (platform::alloc_pages(sizeof(la64::JitBackend))) la64::JitBackend();
  FixedText<128> err;
  if (!jit->init(err)) LogLine().str("jit: ").str(err.c_str());
  usize pool_insts = 1 << 16;
  auto* pool = static_cast<ir::Inst*>(platform::alloc_pages(pool_insts * sizeof(ir::Inst)));
  auto* interp = new (platform::alloc_pages(sizeof(engine::InterpreterBackend))) engine::InterpreterBackend(pool, pool_insts);
  la64::Lister lister;
  engine::EngineConfig config;
  auto* eng = new (platform::alloc_pages(sizeof(engine::Engine))) engine::Engine(*machine, *interp, &lister, config);
  (void)eng;
  platform::exit(0);
}
