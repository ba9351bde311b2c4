// Chunked GELF: reassembly with the spec's 5-second limit and a bound on what waits.
#include "core/coding.h"
#include "ingest/gelf/gelf.h"

namespace sawlog::gelf {

namespace {

// "message 0011223344556677 from 10.0.0.1:5000"
std::string Name(std::string_view id, std::string_view sender) {
  return "chunked GELF message " + HexString(id) + " from " + std::string(sender);
}

}  // namespace

bool ChunkAssembler::Add(std::string_view chunk, std::string_view sender, int64_t now_ns, std::string* message,
                         std::vector<std::string>* errors) {
  if (chunk.size() < kChunkHeaderBytes) {
    errors->push_back("GELF chunk of " + std::to_string(chunk.size()) + " bytes from " + std::string(sender) +
                      " is shorter than its 12-byte header");
    return false;
  }
  const std::string_view id = chunk.substr(2, 8);
  const int seq = static_cast<uint8_t>(chunk[10]);
  const int count = static_cast<uint8_t>(chunk[11]);
  const std::string_view data = chunk.substr(kChunkHeaderBytes);
  if (count == 0 || count > kMaxChunks || seq >= count) {
    errors->push_back(Name(id, sender) + ": chunk " + std::to_string(seq) + " of " + std::to_string(count) +
                      " (at most " + std::to_string(kMaxChunks) + " chunks, numbered from 0)");
    return false;
  }
  if (count == 1) {
    *message = std::string(data);
    return true;
  }
  std::string key(sender);
  key.append(id);
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    if (pending_.size() >= kMaxPendingMessages || pending_bytes_ + data.size() > kMaxPendingBytes) {
      errors->push_back(Name(id, sender) + " refused: " + std::to_string(pending_.size()) +
                        " incomplete messages already hold " + std::to_string(pending_bytes_) + " bytes (limits " +
                        std::to_string(kMaxPendingMessages) + " messages, " + std::to_string(kMaxPendingBytes) + " bytes)");
      return false;
    }
    order_.push_back(key);
    it = pending_.emplace(std::move(key), Pending{}).first;
    it->second.first_ns = now_ns;
    it->second.count = count;
    it->second.chunks.resize(count);
    it->second.age = std::prev(order_.end());
  }
  Pending& p = it->second;
  if (count != p.count) {
    errors->push_back(Name(id, sender) + ": a chunk says " + std::to_string(count) + " chunks, the first said " +
                      std::to_string(p.count) + "; the chunk is dropped");
    return false;
  }
  if (p.arrived[seq]) return false;  // a duplicate: the first copy counts
  if (p.bytes + data.size() > max_message_bytes_ || pending_bytes_ + data.size() > kMaxPendingBytes) {
    const bool own = p.bytes + data.size() > max_message_bytes_;
    errors->push_back(Name(id, sender) + " dropped: its chunks exceed the " + (own ? "message" : "pending") +
                      " limit of " + std::to_string(own ? max_message_bytes_ : kMaxPendingBytes) + " bytes");
    Drop(it);
    return false;
  }
  p.arrived[seq] = true;
  p.chunks[seq] = std::string(data);
  p.bytes += data.size();
  pending_bytes_ += data.size();
  ++p.received;
  if (p.received < p.count) return false;
  message->clear();
  message->reserve(p.bytes);
  for (const auto& c : p.chunks) message->append(c);
  Drop(it);
  return true;
}

void ChunkAssembler::Drop(std::unordered_map<std::string, Pending>::iterator it) {
  pending_bytes_ -= it->second.bytes;
  order_.erase(it->second.age);
  pending_.erase(it);
}

void ChunkAssembler::Expire(int64_t now_ns, std::vector<std::string>* errors) {
  while (!order_.empty()) {
    auto it = pending_.find(order_.front());
    if (now_ns - it->second.first_ns < kChunkTimeoutNs) return;
    const std::string_view key = it->first;
    errors->push_back(Name(key.substr(key.size() - 8), key.substr(0, key.size() - 8)) + " dropped: " +
                      std::to_string(it->second.received) + " of " + std::to_string(it->second.count) +
                      " chunks arrived within 5 s");
    Drop(it);
  }
}

}  // namespace sawlog::gelf
