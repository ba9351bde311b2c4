// Fuzzes WAL recovery: the input is written as the segment 00000000000000000001.wal of an otherwise
// empty WAL directory, then Wal::Verify and Wal::Open (skip_damaged, replaying every record through
// the store's payload decoding) read it. Errors are expected; crashes, hangs and leaks are not.
//
// Each input runs twice: as is, and with the checksum of every record whose magic and length are
// plausible recomputed, so the fuzzer gets past the checksums to the sequence numbers and payloads.
//
// Invariants: when Verify finds no damaged record, Open with skip_damaged may fail only for out-of-
// order sequence numbers (Corruption), and replays records in increasing sequence order. SkipEvent
// (the flush's reading of the head) accepts exactly the events DecodeEvent does, reads the same
// bytes, times and stream.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/coding.h"
#include "core/env.h"
#include "temp_dir.h"
#include "core/log.h"
#include "store/event_codec.h"
#include "store/wal.h"
#include "store/wal_format.h"

namespace {

const std::string& TempDir() {
  static const bool quiet = (sawlog::SetLogEnabled(false), true);  // every damaged record is logged
  (void)quiet;
  return sawlog::fuzz::TempDir("wal");
}

void EmptyDir(sawlog::Env* env, const std::string& dir) {
  auto children = env->GetChildren(dir);
  if (!children.ok()) std::abort();
  for (const auto& name : children.value())
    if (!env->RemoveFile(sawlog::JoinPath(dir, name)).ok()) std::abort();
}

// What Store does with a replayed payload (DecodeWalPayload in store.cc).
sawlog::Status DecodePayload(std::string_view payload) {
  if (payload.empty() || static_cast<uint8_t>(payload[0]) != sawlog::wal::kWalCodecNone)
    return sawlog::Status::Corruption("unknown WAL payload codec");
  sawlog::Decoder in(payload.substr(1));
  std::string tenant;
  uint64_t count;
  if (!in.GetLengthPrefixed(&tenant) || !in.GetVarint64(&count) || count > payload.size())
    return sawlog::Status::Corruption("malformed WAL payload header");
  std::vector<sawlog::Event> events(count);
  sawlog::Decoder skip = in;  // the flush's reading of the head: SkipEvent, as DecodeEvent reads
  for (auto& e : events) {
    sawlog::EncodedEvent encoded;
    const bool skipped = sawlog::SkipEvent(&skip, &encoded);
    const std::string_view before = in.rest();
    const bool decoded = sawlog::DecodeEvent(&in, &e);
    if (skipped != decoded) std::abort();
    if (!decoded) return sawlog::Status::Corruption("malformed event in WAL payload");
    if (skip.rest().size() != in.rest().size() || encoded.bytes.size() != before.size() - in.rest().size() ||
        encoded.time != e.time || encoded.ingest_time != e.ingest_time || encoded.stream != e.stream)
      std::abort();
  }
  return sawlog::Status::Ok();
}

// Recomputes the checksum of every record that has the magic and a length within the data.
std::string RepairChecksums(std::string data) {
  using namespace sawlog::wal;
  size_t offset = 0;
  while (offset + kWalHeaderSize <= data.size()) {
    char* h = data.data() + offset;
    uint32_t len = sawlog::DecodeFixed32(h + 4);
    if (sawlog::DecodeFixed32(h) != kWalRecordMagic || len > data.size() - offset - kWalHeaderSize) {
      ++offset;
      continue;
    }
    uint64_t check = sawlog::Checksum2(std::string_view(h, kWalChecksumOffset), std::string_view(h + kWalHeaderSize, len));
    std::string fixed;
    sawlog::PutFixed64(&fixed, check);
    data.replace(offset + kWalChecksumOffset, 8, fixed);
    offset += kWalHeaderSize + len;
  }
  return data;
}

void RunOne(const std::string& segment) {
  sawlog::Env* env = sawlog::Env::Default();
  const std::string& dir = TempDir();
  EmptyDir(env, dir);
  const std::string path = sawlog::JoinPath(dir, "00000000000000000001.wal");
  {
    auto file = env->NewWritableFile(path);
    if (!file.ok() || !file.value()->Append(segment).ok() || !file.value()->Close().ok()) std::abort();
  }

  // Verify first: it only reads, whereas Open cuts off a torn tail and starts a new segment.
  std::string report;
  sawlog::Status verified = sawlog::Wal::Verify(env, dir, &report);
  if (verified.ok() != report.empty()) __builtin_trap();

  uint64_t last = 0;
  bool ordered = true;
  auto replay = [&](uint64_t seq, std::string_view payload) {
    if (seq <= last) ordered = false;
    last = seq;
    (void)DecodePayload(payload);  // malformed payloads are the store's to report
    return sawlog::Status::Ok();
  };
  auto wal = sawlog::Wal::Open(env, dir, 0, /*skip_damaged=*/true, replay);
  if (!ordered) __builtin_trap();
  if (verified.ok() && !wal.ok() && wal.status().code() != sawlog::Code::kCorruption) __builtin_trap();
  if (wal.ok() && wal.value()->last_seq() != last) __builtin_trap();
  EmptyDir(env, dir);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string segment(reinterpret_cast<const char*>(data), size);
  RunOne(segment);
  std::string repaired = RepairChecksums(segment);
  if (repaired != segment) RunOne(repaired);
  return 0;
}
