// Fuzzes the agent's recovery after a crash: the input is written as segment
// 0000000000000001.seg of an otherwise empty disk buffer, which DiskBuffer::Open scans (cutting it at
// the first record that does not check out); every record handed out is decoded as the shipper
// does (DecodeShipment). The input is also read as the agent's state file. Errors are expected;
// crashes, hangs and leaks are not.
//
// Each input runs twice: as is, and with the checksum of every record whose magic and length are
// plausible recomputed, so the fuzzer gets past the checksums to the payloads.
//
// Invariants: Open succeeds (damage is cut, never an error); what it hands out is whole records,
// in file order, as many as it counts; after the cut the segment holds exactly those records.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/checkpoints.h"
#include "agent/disk_buffer.h"
#include "agent/shipment.h"
#include "core/coding.h"
#include "core/env.h"
#include "core/log.h"
#include "temp_dir.h"

namespace {

using namespace sawlog::agent;

const std::string& TempDir() {
  static const bool quiet = (sawlog::SetLogEnabled(false), true);  // every cut is logged
  (void)quiet;
  return sawlog::fuzz::TempDir("agent-buffer");
}

void EmptyDir(sawlog::Env* env, const std::string& dir) {
  auto children = env->GetChildren(dir);
  if (!children.ok()) std::abort();
  for (const auto& name : children.value())
    if (!env->RemoveFile(sawlog::JoinPath(dir, name)).ok()) std::abort();
}

std::string RepairChecksums(std::string data) {
  size_t offset = 0;
  while (offset + kBufferHeaderSize <= data.size()) {
    char* h = data.data() + offset;
    uint32_t len = sawlog::DecodeFixed32(h + 4);
    if (sawlog::DecodeFixed32(h) != kBufferRecordMagic || len > data.size() - offset - kBufferHeaderSize) {
      ++offset;
      continue;
    }
    std::string fixed;
    sawlog::PutFixed64(&fixed, sawlog::Checksum(std::string_view(h + kBufferHeaderSize, len)));
    data.replace(offset + 8, 8, fixed);
    offset += kBufferHeaderSize + len;
  }
  return data;
}

void RunOne(const std::string& segment) {
  sawlog::Env* env = sawlog::Env::Default();
  const std::string& dir = TempDir();
  EmptyDir(env, dir);
  const std::string path = sawlog::JoinPath(dir, "0000000000000001.seg");
  {
    auto file = env->NewWritableFile(path);
    if (!file.ok() || !file.value()->Append(segment).ok() || !file.value()->Close().ok()) std::abort();
  }
  auto buffer = DiskBuffer::Open(env, dir, 1 << 30, {});
  if (!buffer.ok()) __builtin_trap();
  const size_t count = buffer.value()->unsent_records();
  auto cut = env->NewRandomAccessFile(path);
  if (!cut.ok()) std::abort();
  uint64_t expected_end = 0;
  std::string payload;
  BufferPosition end;
  size_t handed = 0;
  while (buffer.value()->Next(0, &payload, &end).ok()) {
    if (end.segment != 1 || end.offset != expected_end + kBufferHeaderSize + payload.size()) __builtin_trap();
    expected_end = end.offset;
    ++handed;
    (void)DecodeShipment(payload);  // a payload that checks out but is no shipment is the shipper's to report
    if (!buffer.value()->Ack(end).ok()) __builtin_trap();
  }
  if (handed != count || cut.value()->Size() != expected_end) __builtin_trap();
  buffer.value().reset();
  EmptyDir(env, dir);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string segment(reinterpret_cast<const char*>(data), size);
  RunOne(segment);
  std::string repaired = RepairChecksums(segment);
  if (repaired != segment) RunOne(repaired);
  // The same bytes as the agent's state file: read or refused as Corruption, never a crash.
  const std::string& dir = TempDir();
  sawlog::Env* env = sawlog::Env::Default();
  if (!env->WriteFileAtomic(sawlog::JoinPath(dir, "state"), segment).ok()) std::abort();
  auto state = AgentState::Open(env, sawlog::JoinPath(dir, "state"));
  if (!state.ok() && state.status().code() != sawlog::Code::kCorruption) __builtin_trap();
  EmptyDir(env, dir);
  return 0;
}
