// hash: replaces field values with a hash, so events stay joinable by a value nobody can read.
#include <openssl/evp.h>
#include <xxhash.h>

#include "core/coding.h"
#include "pipeline/event_fields.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"fields", OptionType::kList, true, {}, "the fields to hash"},
    {"algorithm", OptionType::kString, false, "sha256", "sha256 (64 hex digits) or xxh3 (16; fast, not cryptographic)"},
    {"salt", OptionType::kString, false, {}, "prepended to each value, so short values cannot be looked up in a table"},
};

class HashProcessor final : public Processor {
 public:
  HashProcessor(std::vector<std::string> fields, bool sha256, std::string salt)
      : fields_(std::move(fields)), sha256_(sha256), salt_(std::move(salt)) {}

  void Process(std::span<Record* const> records, const ProcessContext&) override {
    std::string input;
    for (Record* r : records)
      for (const auto& name : fields_)
        if (std::string* v = GetMutableField(&r->event, name)) {
          input = salt_ + *v;
          *v = Hash(input);
        }
  }

 private:
  std::string Hash(const std::string& s) const {
    if (!sha256_) {
      XXH64_hash_t h = XXH3_64bits(s.data(), s.size());
      unsigned char b[8];
      for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(h >> (56 - 8 * i));
      return HexString(std::string_view(reinterpret_cast<const char*>(b), 8));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(s.data(), s.size(), digest, &n, EVP_sha256(), nullptr);
    return HexString(std::string_view(reinterpret_cast<const char*>(digest), n));
  }

  const std::vector<std::string> fields_;
  const bool sha256_;
  const std::string salt_;
};

Result<std::unique_ptr<Processor>> Make(const Options& o) {
  const std::string& algorithm = o.String("algorithm");
  if (algorithm != "sha256" && algorithm != "xxh3")
    return o.Error("algorithm", "unknown algorithm '" + algorithm + "' (known: sha256, xxh3)");
  for (const auto& name : o.List("fields")) RETURN_IF_ERROR(CheckWritableField(o, "fields", name));
  return std::unique_ptr<Processor>(
      std::make_unique<HashProcessor>(o.List("fields"), algorithm == "sha256", o.String("salt")));
}

}  // namespace

const ProcessorType kHashType{"hash", "replaces field values with their hash (hex)", kOptions, Make};

}  // namespace sawlog::pipeline
