// The forward protocol's shared-key handshake: HELO, PING, PONG.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "core/coding.h"
#include "ingest/forward/forward.h"
#include "ingest/forward/msgpack_reader.h"
#include "ingest/forward/msgpack_writer.h"

namespace sawlog::forward {

namespace {

constexpr size_t kNonceBytes = 16;

std::string Pong(bool ok, std::string_view reason, std::string_view hostname, std::string_view digest) {
  std::string out;
  msgpack::AppendArray(&out, 5);
  msgpack::AppendStr(&out, "PONG");
  msgpack::AppendBool(&out, ok);
  msgpack::AppendStr(&out, reason);
  msgpack::AppendStr(&out, hostname);
  msgpack::AppendStr(&out, digest);
  return out;
}

}  // namespace

std::string Sha512Hex(std::initializer_list<std::string_view> parts) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestInit_ex(ctx.get(), EVP_sha512(), nullptr);
  for (auto p : parts) EVP_DigestUpdate(ctx.get(), p.data(), p.size());
  EVP_DigestFinal_ex(ctx.get(), digest, &n);
  return HexString(std::string_view(reinterpret_cast<const char*>(digest), n));
}

SharedKeyHandshake::SharedKeyHandshake(std::string shared_key, std::string server_hostname)
    : key_(std::move(shared_key)), hostname_(std::move(server_hostname)) {
  // In hex, so clients that decode msgpack strings as UTF-8 keep every byte of it.
  unsigned char nonce[kNonceBytes];
  if (RAND_bytes(nonce, sizeof(nonce)) != 1) abort();  // BUG: the system's random source failed
  nonce_ = HexString(std::string_view(reinterpret_cast<const char*>(nonce), sizeof(nonce)));
}

std::string SharedKeyHandshake::Helo() const {
  std::string out;
  msgpack::AppendArray(&out, 2);
  msgpack::AppendStr(&out, "HELO");
  msgpack::AppendMap(&out, 3);
  msgpack::AppendStr(&out, "nonce");
  msgpack::AppendStr(&out, nonce_);
  msgpack::AppendStr(&out, "auth");  // the user-authentication salt: empty, no users
  msgpack::AppendStr(&out, "");
  msgpack::AppendStr(&out, "keepalive");
  msgpack::AppendBool(&out, true);
  return out;
}

bool SharedKeyHandshake::CheckPing(std::string_view message, std::string* pong, std::string* error) const {
  msgpack::Reader r(message);
  msgpack::Value v, items[6];
  bool shape = r.Read(&v) && v.type == msgpack::Type::kArray && v.count == 6;
  for (int i = 0; shape && i < 6; ++i)
    shape = r.Read(&items[i]) && (items[i].type == msgpack::Type::kStr || items[i].type == msgpack::Type::kBin);
  if (!shape || items[0].bytes != "PING") {
    *error = "expected the handshake's PING [\"PING\", hostname, salt, digest, user, password]; closing the connection";
    pong->append(Pong(false, "expected PING", hostname_, ""));
    return false;
  }
  const std::string_view client = items[1].bytes, salt = items[2].bytes, digest = items[3].bytes;
  const std::string want = Sha512Hex({salt, client, nonce_, key_});
  if (digest.size() != want.size() || CRYPTO_memcmp(digest.data(), want.data(), want.size()) != 0) {
    *error = "shared key mismatch in the PING of '" + std::string(client.substr(0, 100)) + "'; closing the connection";
    pong->append(Pong(false, "shared key mismatch", hostname_, ""));
    return false;
  }
  pong->append(Pong(true, "", hostname_, Sha512Hex({salt, hostname_, nonce_, key_})));
  return true;
}

}  // namespace sawlog::forward
