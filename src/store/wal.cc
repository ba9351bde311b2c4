#include "store/wal.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "core/coding.h"
#include "core/log.h"
#include "store/wal_format.h"

namespace sawlog {

using namespace wal;

namespace {

struct RecordView {
  uint64_t seq = 0;
  uint32_t index = 0;  // position in its commit group
  std::string_view payload;
  size_t size = 0;  // header + payload
  uint64_t group_start() const { return seq - index; }
};

// Parses the record at data[offset]; empty optional with a reason when it is not a valid record.
bool ParseRecord(std::string_view data, size_t offset, RecordView* rec, std::string* why) {
  if (data.size() - offset < kWalHeaderSize) {
    *why = "incomplete record header";
    return false;
  }
  const char* h = data.data() + offset;
  if (DecodeFixed32(h) != kWalRecordMagic) {
    *why = "bad record magic";
    return false;
  }
  uint32_t len = DecodeFixed32(h + 4);
  if (len > kWalMaxRecordBytes || len > data.size() - offset - kWalHeaderSize) {
    *why = "record length runs past the end of the file";
    return false;
  }
  std::string_view payload(h + kWalHeaderSize, len);
  if (Checksum2(std::string_view(h, kWalChecksumOffset), payload) != DecodeFixed64(h + kWalChecksumOffset)) {
    *why = "checksum mismatch";
    return false;
  }
  rec->seq = DecodeFixed64(h + 8);
  rec->index = DecodeFixed32(h + 16);
  if (rec->index > rec->seq) {
    *why = "group index larger than the sequence number";
    return false;
  }
  rec->payload = payload;
  rec->size = kWalHeaderSize + len;
  return true;
}

// The offset of the first valid record at or after `from` whose sequence number can follow
// after_seq, or npos. Sequence numbers go up by one a record and a record takes at least a
// header, which bounds the candidates to check: bytes that merely look like a header (user
// data can hold the magic) are passed over without checksumming their claimed length.
size_t FindNextValidRecord(std::string_view data, size_t from, uint64_t after_seq) {
  RecordView rec;
  std::string why;
  const uint64_t max_seq = after_seq + (data.size() - std::min(from, data.size())) / kWalHeaderSize + 1;
  for (size_t i = from; i + kWalHeaderSize <= data.size(); ++i) {
    if (DecodeFixed32(data.data() + i) != kWalRecordMagic) continue;
    uint64_t seq = DecodeFixed64(data.data() + i + 8);
    if (seq <= after_seq || seq > max_seq) continue;
    if (ParseRecord(data, i, &rec, &why)) return i;
  }
  return std::string_view::npos;
}

// Whether damage after the record numbered last_good is the torn tail of the last commit group:
// the next valid record's group began at or before the damaged records, and no later group
// follows. A group's pages can reach the disk in any order when power fails before its fsync,
// so its intact records may follow its torn ones; it was never acknowledged. Damage followed by
// a later group is damage to acknowledged records.
bool TornLastGroup(std::string_view data, size_t from, uint64_t last_good) {
  size_t next = FindNextValidRecord(data, from, last_good);
  if (next == std::string_view::npos) return false;
  RecordView rec;
  std::string why;
  ParseRecord(data, next, &rec, &why);
  const uint64_t group = rec.group_start();
  if (group > last_good + 1) return false;
  for (size_t offset = next + rec.size; offset < data.size();) {
    size_t later = FindNextValidRecord(data, offset, rec.seq);
    if (later == std::string_view::npos) break;
    ParseRecord(data, later, &rec, &why);
    if (rec.group_start() != group) return false;
    offset = later + rec.size;
  }
  return true;
}

bool ParseSegmentName(const std::string& name, uint64_t* first_seq) {
  std::string_view n = name;
  if (n.size() != 20 + 4 || !n.ends_with(kWalSuffix)) return false;
  auto [p, ec] = std::from_chars(n.data(), n.data() + 20, *first_seq);
  return ec == std::errc() && p == n.data() + 20;
}

}  // namespace

std::string Wal::SegmentPath(uint64_t first_seq) const {
  char name[32];
  std::snprintf(name, sizeof(name), "%020llu%s", static_cast<unsigned long long>(first_seq), kWalSuffix);
  return JoinPath(dir_, name);
}

Result<std::unique_ptr<Wal>> Wal::Open(Env* env, std::string dir, uint64_t after_seq,
                                       bool skip_damaged, const ReplayFn& replay) {
  RETURN_IF_ERROR(env->CreateDirs(dir));
  std::unique_ptr<Wal> wal(new Wal(env, std::move(dir)));
  ASSIGN_OR_RETURN(auto children, env->GetChildren(wal->dir_));
  for (const auto& name : children) {
    uint64_t first;
    if (ParseSegmentName(name, &first)) wal->segments_.push_back(first);
  }
  std::sort(wal->segments_.begin(), wal->segments_.end());

  uint64_t last_seq = after_seq;
  for (size_t s = 0; s < wal->segments_.size(); ++s) {
    const std::string path = wal->SegmentPath(wal->segments_[s]);
    const bool last_segment = s + 1 == wal->segments_.size();
    ASSIGN_OR_RETURN(std::string data, env->ReadFile(path));
    size_t offset = 0;
    uint64_t segment_last_seq = wal->segments_[s] - 1;
    while (offset < data.size()) {
      RecordView rec;
      std::string why;
      if (!ParseRecord(data, offset, &rec, &why)) {
        size_t next = FindNextValidRecord(data, offset + 1, segment_last_seq);
        // A torn tail: the end of the last segment, or of an earlier one whose successor goes
        // on with the very next sequence number (a failed write that was cut back, and then
        // retried in a new segment). Either way nothing acknowledged is in it.
        bool torn_tail = (next == std::string_view::npos &&
                          (last_segment || wal->segments_[s + 1] == segment_last_seq + 1)) ||
                         (last_segment && TornLastGroup(data, offset + 1, segment_last_seq));
        if (torn_tail) {
          LogWarn("wal " + path + " offset " + std::to_string(offset) + ": cutting off " +
                  std::to_string(data.size() - offset) + " bytes of a record torn by a crash (" + why + ")");
          RETURN_IF_ERROR(env->TruncateFile(path, offset));
          break;
        }
        std::string where = "wal " + path + " offset " + std::to_string(offset) + ": damaged record (" + why + ")";
        if (!skip_damaged)
          return Status::Corruption(where + ", and valid records follow it; the acknowledged events in it cannot be "
                                    "recovered automatically. Copy the data directory, then start with "
                                    "--wal-skip-damaged to skip damaged records");
        LogError(where + ": skipped (--wal-skip-damaged)");
        if (next == std::string_view::npos) break;
        offset = next;
        continue;
      }
      if (rec.seq <= last_seq && rec.seq > after_seq)
        return Status::Corruption("wal " + path + " offset " + std::to_string(offset) + ": sequence number " +
                                  std::to_string(rec.seq) + " does not follow " + std::to_string(last_seq));
      if (rec.seq > after_seq) {
        Status st = replay(rec.seq, rec.payload);
        if (!st.ok()) return st.Annotate("wal " + path + " offset " + std::to_string(offset));
        last_seq = rec.seq;
      }
      segment_last_seq = rec.seq;
      offset += rec.size;
    }
  }
  wal->last_seq_ = last_seq;
  RETURN_IF_ERROR(wal->StartSegment());
  return wal;
}

Status Wal::Verify(Env* env, const std::string& dir, std::string* report) {
  if (!env->FileExists(dir)) return Status::Ok();
  ASSIGN_OR_RETURN(auto children, env->GetChildren(dir));
  std::sort(children.begin(), children.end());
  size_t damaged = 0;
  for (const auto& name : children) {
    uint64_t first;
    if (!ParseSegmentName(name, &first)) continue;
    const std::string path = JoinPath(dir, name);
    ASSIGN_OR_RETURN(std::string data, env->ReadFile(path));
    size_t offset = 0;
    uint64_t last_seq = first - 1;
    while (offset < data.size()) {
      RecordView rec;
      std::string why;
      if (ParseRecord(data, offset, &rec, &why)) {
        offset += rec.size;
        last_seq = rec.seq;
        continue;
      }
      ++damaged;
      size_t next = FindNextValidRecord(data, offset + 1, last_seq);
      *report += "wal " + path + " offset " + std::to_string(offset) + ": " + why +
                 (next == std::string_view::npos ? " (torn tail: cut off at the next start)\n" : "\n");
      if (next == std::string_view::npos) break;
      offset = next;
    }
  }
  if (damaged == 0) return Status::Ok();
  return Status::Corruption(std::to_string(damaged) + " damaged WAL records in " + dir);
}

Status Wal::StartSegment() {
  if (file_) {
    Status st = file_->Close();
    file_.reset();
    RETURN_IF_ERROR(st);
  }
  uint64_t first = last_seq_ + 1;
  ASSIGN_OR_RETURN(auto file, env_->NewWritableFile(SegmentPath(first)));
  if (segments_.empty() || segments_.back() != first) segments_.push_back(first);
  // The segment is used only once its directory entry is durable.
  RETURN_IF_ERROR(env_->SyncDir(dir_));
  file_ = std::move(file);
  synced_size_ = 0;
  return Status::Ok();
}

Result<uint64_t> Wal::Write(const std::vector<std::string_view>& payloads) {
  if (broken_) return Status::Unavailable("the write-ahead log failed earlier and could not be repaired; restart the server");
  if (!file_ || synced_size_ >= kWalSegmentBytes) RETURN_IF_ERROR(StartSegment());
  std::string buf;
  size_t total = 0;
  for (auto p : payloads) total += kWalHeaderSize + p.size();
  buf.reserve(total);
  uint64_t seq = last_seq_;
  for (size_t k = 0; k < payloads.size(); ++k) {
    std::string_view p = payloads[k];
    if (p.size() > kWalMaxRecordBytes) return Status::TooLarge("a batch of " + std::to_string(p.size()) + " bytes is larger than the WAL's record limit");
    size_t h = buf.size();
    PutFixed32(&buf, kWalRecordMagic);
    PutFixed32(&buf, static_cast<uint32_t>(p.size()));
    PutFixed64(&buf, ++seq);
    PutFixed32(&buf, static_cast<uint32_t>(k));
    PutFixed64(&buf, Checksum2(std::string_view(buf.data() + h, kWalChecksumOffset), p));
    buf.append(p);
  }
  Status st = file_->Append(buf);
  if (st.ok()) st = file_->Sync();
  if (!st.ok()) {
    // Cut back what may be half written, then continue in a fresh segment: after a failed
    // fsync the kernel's view of this file can no longer be trusted.
    std::string path = SegmentPath(segments_.back());
    file_.reset();
    if (!env_->TruncateFile(path, synced_size_).ok()) broken_ = true;
    return st.Annotate("cannot write the write-ahead log");
  }
  synced_size_ += buf.size();
  last_seq_ = seq;
  return seq;
}

Status Wal::DeleteUpTo(uint64_t seq) {
  // Segment i holds seqs [segments_[i], segments_[i+1]); the open one is never deleted.
  size_t deletable = 0;
  while (deletable + 1 < segments_.size() && segments_[deletable + 1] - 1 <= seq) ++deletable;
  for (size_t i = 0; i < deletable; ++i) {
    Status st = env_->RemoveFile(SegmentPath(segments_[i]));
    if (!st.ok() && st.code() != Code::kNotFound) return st;
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(deletable));
  return Status::Ok();
}

}  // namespace sawlog
