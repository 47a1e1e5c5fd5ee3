#include "devices/port_io.h"

namespace bmbt::devices {

bool PortIoBus::map(u16 first, u16 count, PortDevice* dev) {
  if (count_ >= kMaxRanges) return false;
  ranges_[count_++] = Range{first, count, dev};
  return true;
}

PortDevice* PortIoBus::find(u16 port, u16* base) const {
  for (int i = 0; i < count_; ++i) {
    if (port >= ranges_[i].first && port - ranges_[i].first < ranges_[i].count) {
      *base = ranges_[i].first;
      return ranges_[i].dev;
    }
  }
  return nullptr;
}

u32 PortIoBus::read(u16 port, int size) {
  u16 base;
  if (PortDevice* d = find(port, &base)) return d->port_read(port, size);
  ++unclaimed_;
  return size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffffu;
}

void PortIoBus::write(u16 port, u32 value, int size) {
  u16 base;
  if (PortDevice* d = find(port, &base)) { d->port_write(port, value, size); return; }
  ++unclaimed_;
}

}  // namespace bmbt::devices
