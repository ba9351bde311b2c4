#include "agent/disk_buffer.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "core/coding.h"
#include "core/log.h"

namespace sawlog::agent {

std::string DiskBuffer::SegmentPath(uint64_t segment) const {
  char name[32];
  std::snprintf(name, sizeof(name), "%016llu%s", static_cast<unsigned long long>(segment), kBufferSuffix);
  return JoinPath(dir_, name);
}

Result<std::unique_ptr<DiskBuffer>> DiskBuffer::Open(Env* env, std::string dir, uint64_t max_bytes, BufferPosition acked) {
  RETURN_IF_ERROR(env->CreateDirs(dir));
  std::unique_ptr<DiskBuffer> buffer(new DiskBuffer(env, dir, max_bytes));
  ASSIGN_OR_RETURN(auto children, env->GetChildren(dir));
  std::vector<uint64_t> found;
  for (const auto& name : children) {
    if (!name.ends_with(kBufferSuffix) || name.size() != 16 + std::string_view(kBufferSuffix).size()) continue;
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + 16, n);
    if (ec == std::errc() && end == name.data() + 16) found.push_back(n);
  }
  std::sort(found.begin(), found.end());
  for (uint64_t segment : found) {
    if (segment < acked.segment) {
      RETURN_IF_ERROR(env->RemoveFile(buffer->SegmentPath(segment)));
      continue;
    }
    buffer->segments_.push_back(segment);
    RETURN_IF_ERROR(buffer->Scan(segment, segment == acked.segment ? acked.offset : 0));
  }
  buffer->write_segment_ = std::max(found.empty() ? 0 : found.back() + 1, acked.segment + 1);
  RETURN_IF_ERROR(buffer->Roll());
  return buffer;
}

Status DiskBuffer::Scan(uint64_t segment, uint64_t from) {
  const std::string path = SegmentPath(segment);
  ASSIGN_OR_RETURN(auto file, env_->NewRandomAccessFile(path));
  const uint64_t size = file->Size();
  uint64_t offset = from;
  std::string data;
  while (offset < size) {
    std::string why;
    if (size - offset < kBufferHeaderSize) {
      why = "a torn record header";
    } else {
      RETURN_IF_ERROR(file->Read(offset, kBufferHeaderSize, &data));
      const uint32_t magic = DecodeFixed32(data.data());
      const uint32_t length = DecodeFixed32(data.data() + 4);
      const uint64_t check = DecodeFixed64(data.data() + 8);
      if (magic != kBufferRecordMagic) {
        why = "a bad record magic";
      } else if (length > kBufferMaxRecordBytes || length > size - offset - kBufferHeaderSize) {
        why = "a torn record (length " + std::to_string(length) + ")";
      } else {
        RETURN_IF_ERROR(file->Read(offset + kBufferHeaderSize, length, &data));
        if (Checksum(data) != check) {
          why = "a checksum mismatch";
        } else {
          records_.push_back({{segment, offset}, length});
          unsent_bytes_ += kBufferHeaderSize + length;
          offset += kBufferHeaderSize + length;
          continue;
        }
      }
    }
    LogWarn("agent buffer " + path + " offset " + std::to_string(offset) + ": " + why + "; cutting the segment there (" +
            std::to_string(size - offset) + " bytes that were never acknowledged to an input)");
    return env_->TruncateFile(path, offset);
  }
  return Status::Ok();
}

Status DiskBuffer::Roll() {
  if (writer_) RETURN_IF_ERROR(writer_->Close());
  writer_.reset();
  const uint64_t segment = write_segment_;
  ASSIGN_OR_RETURN(writer_, env_->NewWritableFile(SegmentPath(segment)));
  RETURN_IF_ERROR(env_->SyncDir(dir_));
  segments_.push_back(segment);
  return Status::Ok();
}

Status DiskBuffer::Append(std::string_view payload) {
  if (payload.size() > kBufferMaxRecordBytes) return Status::TooLarge("a batch of " + std::to_string(payload.size()) + " bytes");
  std::string header;
  PutFixed32(&header, kBufferRecordMagic);
  PutFixed32(&header, static_cast<uint32_t>(payload.size()));
  PutFixed64(&header, Checksum(payload));
  std::unique_lock l(mu_);
  const uint64_t bytes = header.size() + payload.size();
  if (!records_.empty() && unsent_bytes_ + bytes > max_bytes_)
    return Status::ResourceExhausted("the agent's disk buffer is full (" + std::to_string(unsent_bytes_) + " bytes unsent)");
  if (writer_->Size() >= kBufferSegmentBytes) {
    ++write_segment_;
    RETURN_IF_ERROR(Roll());
  }
  const BufferPosition at{write_segment_, writer_->Size()};
  Status st = writer_->Append(header);
  if (st.ok()) st = writer_->Append(payload);
  if (st.ok()) st = writer_->Sync();
  if (!st.ok()) {
    // The segment may end in part of this record: later appends go to a fresh one, and a
    // restart cuts the torn part.
    ++write_segment_;
    (void)Roll();
    return st.Annotate("agent buffer " + SegmentPath(at.segment));
  }
  records_.push_back({at, static_cast<uint32_t>(payload.size())});
  unsent_bytes_ += bytes;
  cv_.notify_all();
  return Status::Ok();
}

Status DiskBuffer::Next(int64_t wait_ns, std::string* payload, BufferPosition* end) {
  Record r;
  {
    std::unique_lock l(mu_);
    cv_.wait_for(l, std::chrono::nanoseconds(wait_ns), [&] { return !records_.empty() || interrupted_; });
    interrupted_ = false;
    if (records_.empty()) return Status::NotFound("the buffer is empty");
    r = records_.front();
  }
  // The record was fsynced before it was listed, and the writer never touches it again.
  const std::string path = SegmentPath(r.at.segment);
  ASSIGN_OR_RETURN(auto file, env_->NewRandomAccessFile(path));
  RETURN_IF_ERROR(file->Read(r.at.offset + kBufferHeaderSize, r.length, payload));
  if (payload->size() != r.length)
    return Status::Corruption("agent buffer " + path + " offset " + std::to_string(r.at.offset) + ": the record is cut short");
  *end = {r.at.segment, r.at.offset + kBufferHeaderSize + r.length};
  return Status::Ok();
}

Status DiskBuffer::Ack(BufferPosition end) {
  std::vector<uint64_t> remove;
  {
    std::lock_guard l(mu_);
    while (!records_.empty() && records_.front().at < end) {
      unsent_bytes_ -= kBufferHeaderSize + records_.front().length;
      records_.pop_front();
    }
    // A segment can go once the reader has moved past it and the writer is elsewhere.
    const uint64_t first_needed = records_.empty() ? write_segment_ : records_.front().at.segment;
    while (!segments_.empty() && segments_.front() < first_needed) {
      remove.push_back(segments_.front());
      segments_.pop_front();
    }
  }
  for (uint64_t segment : remove) RETURN_IF_ERROR(env_->RemoveFile(SegmentPath(segment)));
  return Status::Ok();
}

void DiskBuffer::Interrupt() {
  std::lock_guard l(mu_);
  interrupted_ = true;
  cv_.notify_all();
}

uint64_t DiskBuffer::unsent_bytes() const {
  std::lock_guard l(mu_);
  return unsent_bytes_;
}

size_t DiskBuffer::unsent_records() const {
  std::lock_guard l(mu_);
  return records_.size();
}

}  // namespace sawlog::agent
