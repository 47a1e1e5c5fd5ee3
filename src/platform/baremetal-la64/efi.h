// The parts of the UEFI 2.x interfaces BMBT's loader uses (UEFI specification, chapters 4, 7, 9,
// 12, 13). LoongArch's UEFI calling convention is the normal LP64D one, so these are plain
// function pointers. Unused members are kept as opaque pointers to preserve the layout.
#pragma once
#include "support/types.h"

namespace bmbt::efi {

using Status = u64;
using Handle = void*;
constexpr Status kSuccess = 0;
constexpr Status kBufferTooSmall = 0x8000000000000005ull;

struct Guid {
  u32 a;
  u16 b, c;
  u8 d[8];
};

struct TableHeader {
  u64 signature;
  u32 revision, header_size, crc32, reserved;
};

struct SimpleTextOutput {
  Status (*reset)(SimpleTextOutput*, bool);
  Status (*output_string)(SimpleTextOutput*, const char16_t*);
};

struct MemoryDescriptor {
  u32 type;
  u32 pad;
  u64 physical_start;
  u64 virtual_start;
  u64 number_of_pages;
  u64 attribute;
};

enum MemoryType : u32 {
  kReservedMemory, kLoaderCode, kLoaderData, kBootServicesCode, kBootServicesData,
  kRuntimeServicesCode, kRuntimeServicesData, kConventionalMemory, kUnusableMemory,
  kAcpiReclaimMemory, kAcpiMemoryNvs, kMemoryMappedIo, kMemoryMappedIoPortSpace, kPalCode,
  kPersistentMemory,
};
enum AllocateType : u32 { kAllocateAnyPages, kAllocateMaxAddress, kAllocateAddress };

struct BootServices {
  TableHeader hdr;
  void* raise_tpl;
  void* restore_tpl;
  Status (*allocate_pages)(AllocateType, MemoryType, u64 pages, u64* memory);
  Status (*free_pages)(u64 memory, u64 pages);
  Status (*get_memory_map)(u64* size, MemoryDescriptor* map, u64* key, u64* desc_size, u32* desc_version);
  Status (*allocate_pool)(MemoryType, u64 size, void** buffer);
  Status (*free_pool)(void*);
  void* create_event;
  void* set_timer;
  void* wait_for_event;
  void* signal_event;
  void* close_event;
  void* check_event;
  void* install_protocol_interface;
  void* reinstall_protocol_interface;
  void* uninstall_protocol_interface;
  Status (*handle_protocol)(Handle, const Guid*, void** interface);
  void* reserved;
  void* register_protocol_notify;
  void* locate_handle;
  void* locate_device_path;
  void* install_configuration_table;
  void* load_image;
  void* start_image;
  void* exit;
  void* unload_image;
  Status (*exit_boot_services)(Handle image, u64 map_key);
  void* get_next_monotonic_count;
  Status (*stall)(u64 microseconds);
  Status (*set_watchdog_timer)(u64 timeout, u64 code, u64 data_size, const char16_t* data);
};

struct ConfigurationTable {
  Guid vendor_guid;
  void* vendor_table;
};

struct SystemTable {
  TableHeader hdr;
  const char16_t* firmware_vendor;
  u32 firmware_revision;
  Handle console_in_handle;
  void* con_in;
  Handle console_out_handle;
  SimpleTextOutput* con_out;
  Handle standard_error_handle;
  SimpleTextOutput* std_err;
  void* runtime_services;
  BootServices* boot_services;
  u64 number_of_table_entries;
  ConfigurationTable* configuration_table;
};

struct LoadedImage {
  u32 revision;
  Handle parent_handle;
  SystemTable* system_table;
  Handle device_handle;
  void* file_path;
  void* reserved;
  u32 load_options_size;
  void* load_options;
  void* image_base;
  u64 image_size;
  MemoryType image_code_type;
  MemoryType image_data_type;
  void* unload;
};

struct File {
  u64 revision;
  Status (*open)(File*, File** out, const char16_t* name, u64 mode, u64 attributes);
  Status (*close)(File*);
  void* remove;
  Status (*read)(File*, u64* size, void* buffer);
  void* write;
  Status (*get_position)(File*, u64* position);
  Status (*set_position)(File*, u64 position);
};
constexpr u64 kFileModeRead = 1;

struct SimpleFileSystem {
  u64 revision;
  Status (*open_volume)(SimpleFileSystem*, File** root);
};

constexpr Guid kLoadedImageGuid = {0x5b1b31a1, 0x9562, 0x11d2, {0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};
constexpr Guid kSimpleFileSystemGuid = {0x964e5b22, 0x6459, 0x11d2, {0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};
constexpr Guid kDeviceTreeGuid = {0xb1b621d5, 0xf19c, 0x41a5, {0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0}};

}  // namespace bmbt::efi
