// The UEFI boot path. Runs as a UEFI application at wherever the firmware loaded the PE image
// (relocated by head.S): prints through ConOut, takes the command line from the load options and
// the \bmbt\cmdline file, loads the named files of \bmbt\ on the boot volume, finds the device tree
// in the configuration table, reserves memory for the image at its preferred physical address,
// then ExitBootServices, converts the memory map and starts the copy of the image at _start with
// kUefiHandoffMagic. From there both boot paths are the same.
#include "board.h"
#include "boot_info.h"
#include "csr.h"
#include "efi.h"
#include "support/text.h"

extern "C" char __image_start[], __image_end[], _start[];

namespace bmbt::baremetal {

namespace {

struct EfiContext {
  efi::Handle image;
  efi::SystemTable* st;
  efi::BootServices* bs;
};

void out(const EfiContext& c, const char* text) {
  char16_t wide[256];
  usize n = 0;
  for (; *text && n + 2 < array_size(wide); ++text) {
    if (*text == '\n') wide[n++] = u'\r';
    wide[n++] = char16_t(u8(*text));
  }
  wide[n] = 0;
  c.st->con_out->output_string(c.st->con_out, wide);
}

bool same_guid(const efi::Guid& a, const efi::Guid& b) {
  const u8* x = reinterpret_cast<const u8*>(&a);
  const u8* y = reinterpret_cast<const u8*>(&b);
  for (usize i = 0; i < sizeof(efi::Guid); ++i)
    if (x[i] != y[i]) return false;
  return true;
}

void append_cmdline(const char* text, usize len) {
  char* cl = g_boot_info.cmdline;
  usize at = 0;
  while (cl[at]) ++at;
  if (at && at + 1 < sizeof(g_boot_info.cmdline)) cl[at++] = ' ';
  for (usize i = 0; i < len && at + 1 < sizeof(g_boot_info.cmdline); ++i) {
    char ch = text[i];
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    if (!ch) break;
    cl[at++] = ch;
  }
  while (at && cl[at - 1] == ' ') --at;
  cl[at] = 0;
}

// Load options are UCS-2 (what the boot entry or the shell passed). The shell passes the image
// path as the first word; drop words that end in ".efi"/".EFI".
void take_load_options(const efi::LoadedImage* li) {
  if (!li->load_options || li->load_options_size < 2) return;
  const char16_t* w = static_cast<const char16_t*>(li->load_options);
  usize n = li->load_options_size / 2;
  char ascii[512];
  usize len = 0;
  for (usize i = 0; i < n && w[i] && len + 1 < sizeof(ascii); ++i) ascii[len++] = w[i] < 0x80 ? char(w[i]) : '?';
  ascii[len] = 0;
  usize start = 0;
  while (start < len && ascii[start] == ' ') ++start;
  usize word_end = start;
  while (word_end < len && ascii[word_end] != ' ') ++word_end;
  if (word_end - start >= 4) {
    const char* e = ascii + word_end - 4;
    if ((e[0] == '.') && (e[1] | 0x20) == 'e' && (e[2] | 0x20) == 'f' && (e[3] | 0x20) == 'i') start = word_end;
  }
  append_cmdline(ascii + start, len - start);
}

// Reads \bmbt\<name> into freshly allocated pages (LoaderData: kept after ExitBootServices).
void load_file(const EfiContext& c, efi::File* dir, const char* name) {
  char16_t path[40];
  usize n = 0;
  for (const char* p = "\\bmbt\\"; *p; ++p) path[n++] = char16_t(*p);
  for (const char* p = name; *p && n + 1 < array_size(path); ++p) path[n++] = char16_t(*p);
  path[n] = 0;
  efi::File* f = nullptr;
  if (dir->open(dir, &f, path, efi::kFileModeRead, 0) != efi::kSuccess) return;
  u64 size = 0;
  FixedText<160> msg;
  u64 pa = 0;
  if (f->set_position(f, ~u64(0)) == efi::kSuccess && f->get_position(f, &size) == efi::kSuccess &&
      f->set_position(f, 0) == efi::kSuccess &&
      c.bs->allocate_pages(efi::kAllocateAnyPages, efi::kLoaderData, (size + 4095) / 4096 + 1, &pa) == efi::kSuccess) {
    u64 got = size;
    if (f->read(f, &got, reinterpret_cast<void*>(pa)) == efi::kSuccess && got == size &&
        g_boot_info.file_count < array_size(g_boot_info.files)) {
      BootFile& bf = g_boot_info.files[g_boot_info.file_count++];
      usize k = 0;
      for (; name[k] && k + 1 < sizeof(bf.name); ++k) bf.name[k] = name[k];
      bf.name[k] = 0;
      bf.pa = pa;
      bf.size = size;
      msg.str("BMBT: loaded \\bmbt\\").str(name).str(" (").udec(size).str(" bytes)\n");
      out(c, msg.c_str());
      f->close(f);
      return;
    }
  }
  msg.str("BMBT: cannot read \\bmbt\\").str(name).str("\n");
  out(c, msg.c_str());
  f->close(f);
}

void load_files(const EfiContext& c, const efi::LoadedImage* li) {
  efi::SimpleFileSystem* fs = nullptr;
  if (c.bs->handle_protocol(li->device_handle, &efi::kSimpleFileSystemGuid, reinterpret_cast<void**>(&fs)) !=
      efi::kSuccess) {
    out(c, "BMBT: the boot device has no file system: no files loaded\n");
    return;
  }
  efi::File* root = nullptr;
  if (fs->open_volume(fs, &root) != efi::kSuccess) return;
  // "corpus": the x86-diff test vectors of bmbt.replay (replay.cpp).
  static const char* const kNames[] = {"cmdline", "kernel", "initrd", "corpus"};
  for (const char* name : kNames) load_file(c, root, name);
  root->close(root);
  if (const BootFile* cl = find_boot_file("cmdline")) append_cmdline(reinterpret_cast<const char*>(cl->pa), cl->size);
}

void find_device_tree(const EfiContext& c) {
  for (u64 i = 0; i < c.st->number_of_table_entries; ++i) {
    const efi::ConfigurationTable& t = c.st->configuration_table[i];
    if (same_guid(t.vendor_guid, efi::kDeviceTreeGuid)) {
      g_boot_info.fdt_pa = reinterpret_cast<u64>(t.vendor_table);
      out(c, "BMBT: device tree from the configuration table\n");
      return;
    }
  }
  // edk2 for QEMU's virt board publishes ACPI only; QEMU itself keeps its device tree at 1 MiB.
  // Keep a copy in loader memory (the firmware may reuse that area) when it is there.
  const u8* blob = reinterpret_cast<const u8*>(kDirectBootFdtPa);
  u32 magic = u32(blob[0]) << 24 | u32(blob[1]) << 16 | u32(blob[2]) << 8 | blob[3];
  u32 size = u32(blob[4]) << 24 | u32(blob[5]) << 16 | u32(blob[6]) << 8 | blob[7];
  u64 copy = 0;
  if (magic != 0xd00dfeed || size > (1u << 20) ||
      c.bs->allocate_pages(efi::kAllocateAnyPages, efi::kLoaderData, (size + 4095) / 4096, &copy) != efi::kSuccess) {
    out(c, "BMBT: no device tree\n");
    return;
  }
  for (u32 i = 0; i < size; ++i) reinterpret_cast<u8*>(copy)[i] = blob[i];
  g_boot_info.fdt_pa = copy;
  out(c, "BMBT: device tree from QEMU's virt board at 1 MiB (not in the configuration table)\n");
}

bool is_ram(u32 type) {
  return type == efi::kLoaderCode || type == efi::kLoaderData || type == efi::kBootServicesCode ||
         type == efi::kBootServicesData || type == efi::kConventionalMemory || type == efi::kRuntimeServicesCode ||
         type == efi::kRuntimeServicesData || type == efi::kAcpiReclaimMemory || type == efi::kAcpiMemoryNvs;
}
// Free for BMBT once boot services are gone. Loader memory holds this image, its copy and the
// loaded files; runtime services and ACPI memory stay the firmware's.
bool is_free_after_exit(u32 type) {
  return type == efi::kBootServicesCode || type == efi::kBootServicesData || type == efi::kConventionalMemory;
}

}  // namespace

extern "C" efi::Status bmbt_efi_main(efi::Handle image, efi::SystemTable* st, u64 bad_relocations) {
  EfiContext c{image, st, st->boot_services};
  g_boot_info.path = BootPath::kUefi;
  out(c, "BMBT: UEFI boot\n");
  if (bad_relocations) {
    out(c, "BMBT: the image has relocations of an unexpected type; stopping\n");
    return 1;
  }
  c.bs->set_watchdog_timer(0, 0, 0, nullptr);  // BMBT runs for as long as the guest does

  efi::LoadedImage* li = nullptr;
  if (c.bs->handle_protocol(image, &efi::kLoadedImageGuid, reinterpret_cast<void**>(&li)) != efi::kSuccess) {
    out(c, "BMBT: no loaded-image protocol\n");
    return 1;
  }
  take_load_options(li);
  load_files(c, li);
  find_device_tree(c);

  // The image runs after ExitBootServices at its link address's physical part when that is free,
  // else anywhere (it relocates itself again on entry).
  u64 image_bytes = u64(__image_end - __image_start);
  u64 pages = (image_bytes + 4095) / 4096;
  u64 target = BMBT_LINK_BASE & 0xffffffffffffull;
  if (c.bs->allocate_pages(efi::kAllocateAddress, efi::kLoaderData, pages, &target) != efi::kSuccess) {
    target = 0;
    if (c.bs->allocate_pages(efi::kAllocateAnyPages, efi::kLoaderData, pages, &target) != efi::kSuccess) {
      out(c, "BMBT: no memory for the image\n");
      return 1;
    }
  }
  {
    FixedText<200> msg;
    msg.str("BMBT: image at ").hex0x(u64(__image_start)).str(", continues at ").hex0x(target)
        .str(" after ExitBootServices\n");
    out(c, msg.c_str());
  }

  // The memory map must be read right before ExitBootServices, into a buffer allocated before it.
  u64 map_size = 0, key = 0, desc_size = 0;
  u32 desc_version = 0;
  efi::MemoryDescriptor* map = nullptr;
  c.bs->get_memory_map(&map_size, nullptr, &key, &desc_size, &desc_version);
  u64 capacity = map_size + 16 * desc_size;
  if (c.bs->allocate_pool(efi::kLoaderData, capacity, reinterpret_cast<void**>(&map)) != efi::kSuccess) {
    out(c, "BMBT: no memory for the memory map\n");
    return 1;
  }
  out(c, "BMBT: exiting boot services\n");
  efi::Status s = 1;
  for (int attempt = 0; attempt < 4 && s != efi::kSuccess; ++attempt) {
    map_size = capacity;
    if (c.bs->get_memory_map(&map_size, map, &key, &desc_size, &desc_version) != efi::kSuccess) continue;
    s = c.bs->exit_boot_services(image, key);
  }
  if (s != efi::kSuccess) {
    out(c, "BMBT: ExitBootServices failed\n");
    return s;
  }

  // From here on: no firmware services, no console until the UART is ours.
  interrupts_disable();
  csr_write<CSR_TCFG>(0);
  csr_write<CSR_TICLR>(1);
  csr_write<CSR_ECFG>(0);
  u64 entries = desc_size ? map_size / desc_size : 0;
  g_boot_info.efi_map_entries = u32(entries);
  for (u64 i = 0; i < entries; ++i) {
    const auto* d = reinterpret_cast<const efi::MemoryDescriptor*>(reinterpret_cast<const u8*>(map) + i * desc_size);
    u64 bytes = d->number_of_pages * 4096;
    if (is_ram(d->type)) g_boot_info.total_ram += bytes;
    if (is_free_after_exit(d->type)) add_ram_range(g_boot_info, d->physical_start, bytes);
  }

  // Copy the image (with this boot information in its .data) and start the copy.
  auto* dst = reinterpret_cast<u8*>(target);
  for (u64 i = 0; i < image_bytes; ++i) dst[i] = u8(__image_start[i]);
  __asm__ volatile("dbar 0\n\tibar 0" ::: "memory");
  using Entry = void (*)(u64, u64, u64, u64);
  auto entry = reinterpret_cast<Entry>(target + u64(_start - __image_start));
  entry(0, 0, 0, kUefiHandoffMagic);
  return 1;  // not reached
}

}  // namespace bmbt::baremetal
