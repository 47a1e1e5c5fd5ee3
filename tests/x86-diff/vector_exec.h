// BMBT's side of one test vector: frontend (Zydis decode + IR generation), the default IR passes
// and an executor (the IR interpreter, or an ExecBackend such as the LoongArch JIT), on a guest
// RAM that covers the data window and the code page at the same addresses as natively (guest
// virtual == guest physical today). Freestanding: the hosted runner (bmbt_runner.cpp) and the
// bare-metal replay (src/platform/baremetal-la64/replay.cpp) run every vector through this code.
#pragma once
#include "devices/machine.h"
#include "frontend-x86/decoder.h"
#include "ir/ir.h"
#include "layout.h"
#include "support/text.h"

namespace bmbt::engine { class ExecBackend; }
namespace bmbt::x86diff {

// Guest RAM from physical 0 up to the end of the code page (only the window and the code page
// are ever touched by a vector that runs as it does natively).
constexpr u64 kGuestRamSize = kCodePage + kCodePageSize;

// What a vector is made of, wherever it comes from (a generated Case, a corpus record).
struct VectorInput {
  const State* in;
  u64 mem_seed;
  const Patch* patches;
  int n_patches;
  const u8* code;
  int code_len;
  int n_insns;
};

struct VectorResult {
  State out{};
  ExitKind kind = ExitKind::kOther;
  bool unsupported = false;    // an IR exit with ExitReason::kUndefined (or a decode error)
  const char* exit_text = "";  // exit reason or runner problem; "" when it completed
  bool memory_fault = false;   // then the text is "memory fault at <fault_vaddr>"
  u64 fault_vaddr = 0;
  const u8* window = nullptr;  // final window contents (valid until the next run)
};

// The exit description the reports print ("memory fault at 0x...", "#DE", ...).
void describe_exit(const VectorResult& r, TextBuf& out);

class VectorExecutor {
 public:
  // `ram`: kGuestRamSize bytes of zero-filled guest RAM, owned by the caller. Without an
  // executor the IR interpreter runs the blocks; with one, that executor does, after a flush
  // per vector. `flag_groups`: translate for the LBT flag strategy (an executor that runs it).
  VectorExecutor(u8* ram, engine::ExecBackend* exec, bool flag_groups);
  VectorResult run(const VectorInput& in);

 private:
  devices::Machine machine_;
  u8* ram_;
  x86::Decoder decoder_;
  ir::Block block_;
  engine::ExecBackend* exec_;
  bool flag_groups_;
};

}  // namespace bmbt::x86diff
