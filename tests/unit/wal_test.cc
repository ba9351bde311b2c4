#include <gtest/gtest.h>

#include "core/log.h"
#include "store/wal.h"
#include "store/wal_format.h"
#include "testing/mem_env.h"

namespace sawlog {
namespace {

using testing::MemEnv;

constexpr const char* kDir = "/data/wal";
constexpr const char* kFirstSegment = "/data/wal/00000000000000000001.wal";

struct Replayed {
  std::vector<std::pair<uint64_t, std::string>> records;
  Wal::ReplayFn Fn() {
    return [this](uint64_t seq, std::string_view p) {
      records.emplace_back(seq, std::string(p));
      return Status::Ok();
    };
  }
};

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override { SetLogEnabled(false); }
  std::unique_ptr<Wal> OpenWal(Env* env, Replayed* r, uint64_t after = 0, bool skip = false) {
    auto wal = Wal::Open(env, kDir, after, skip, r->Fn());
    EXPECT_TRUE(wal.ok()) << wal.status().ToString();
    return wal.ok() ? std::move(wal).value() : nullptr;
  }
  MemEnv env_;
};

TEST_F(WalTest, ReplaysEverythingWrittenInOrder) {
  Replayed r;
  auto wal = OpenWal(&env_, &r);
  EXPECT_EQ(wal->Write({"a", "bb"}).value(), 2u);
  EXPECT_EQ(wal->Write({"ccc"}).value(), 3u);
  auto crashed = env_.CrashCopy();
  Replayed r2;
  auto reopened = OpenWal(crashed.get(), &r2);
  ASSERT_EQ(r2.records.size(), 3u);
  EXPECT_EQ(r2.records[0], (std::pair<uint64_t, std::string>{1, "a"}));
  EXPECT_EQ(r2.records[2], (std::pair<uint64_t, std::string>{3, "ccc"}));
  EXPECT_EQ(reopened->last_seq(), 3u);
  EXPECT_EQ(reopened->Write({"d"}).value(), 4u);
}

TEST_F(WalTest, SkipsRecordsAlreadyFlushed) {
  Replayed r;
  auto wal = OpenWal(&env_, &r);
  ASSERT_TRUE(wal->Write({"a", "b", "c"}).ok());
  Replayed r2;
  auto crashed = env_.CrashCopy();
  OpenWal(crashed.get(), &r2, /*after=*/2);
  ASSERT_EQ(r2.records.size(), 1u);
  EXPECT_EQ(r2.records[0].first, 3u);
}

TEST_F(WalTest, TornTailIsCutOffAtEveryLength) {
  Replayed r;
  auto wal = OpenWal(&env_, &r);
  ASSERT_TRUE(wal->Write({"first record"}).ok());
  ASSERT_TRUE(wal->Write({"second record"}).ok());
  const std::string full = *env_.FileData(kFirstSegment);
  const size_t first_size = wal::kWalHeaderSize + 12;
  for (size_t cut = first_size; cut < full.size(); ++cut) {
    MemEnv env;
    ASSERT_TRUE(env.CreateDirs(kDir).ok());
    auto f = env.NewWritableFile(kFirstSegment);
    ASSERT_TRUE((*f)->Append(std::string_view(full).substr(0, cut)).ok());
    Replayed r2;
    auto reopened = OpenWal(&env, &r2);
    ASSERT_EQ(r2.records.size(), 1u) << "cut at " << cut;
    EXPECT_EQ(env.FileData(kFirstSegment)->size(), first_size);
    EXPECT_EQ(reopened->Write({"third"}).value(), 2u);
  }
}

TEST_F(WalTest, DamageInTheMiddleIsReportedWithFileAndOffset) {
  Replayed r;
  auto wal = OpenWal(&env_, &r);
  ASSERT_TRUE(wal->Write({"first"}).ok());
  ASSERT_TRUE(wal->Write({"second"}).ok());
  ASSERT_TRUE(wal->Write({"third"}).ok());
  const size_t second_offset = wal::kWalHeaderSize + 5;
  (*env_.FileData(kFirstSegment))[second_offset + wal::kWalHeaderSize] ^= 0x40;
  Replayed r2;
  auto crashed = env_.CrashCopy();
  auto bad = Wal::Open(crashed.get(), kDir, 0, false, r2.Fn());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kCorruption);
  EXPECT_NE(bad.status().message().find(std::string(kFirstSegment) + " offset " + std::to_string(second_offset)),
            std::string::npos)
      << bad.status().message();

  Replayed r3;
  OpenWal(crashed.get(), &r3, 0, /*skip=*/true);
  ASSERT_EQ(r3.records.size(), 2u);
  EXPECT_EQ(r3.records[1].second, "third");
}

// A power cut before a commit group's fsync can persist its pages out of order: a torn record
// followed by intact ones of the same, never acknowledged group. That is a torn tail, not damage.
TEST_F(WalTest, TornGroupWithIntactLaterRecordsIsCutOff) {
  Replayed r;
  auto wal = OpenWal(&env_, &r);
  ASSERT_TRUE(wal->Write({"a"}).ok());
  ASSERT_TRUE(wal->Write({"bb", "cc", "dd"}).ok());
  const size_t group_offset = wal::kWalHeaderSize + 1;
  (*env_.FileData(kFirstSegment))[group_offset + wal::kWalHeaderSize] ^= 0x40;  // "bb" torn
  auto crashed = env_.CrashCopy();
  Replayed r2;
  auto reopened = OpenWal(crashed.get(), &r2);
  ASSERT_NE(reopened, nullptr);
  ASSERT_EQ(r2.records.size(), 1u);
  EXPECT_EQ(r2.records[0].second, "a");
  EXPECT_EQ(crashed->FileData(kFirstSegment)->size(), group_offset);
  EXPECT_EQ(reopened->Write({"e"}).value(), 2u);
}

// The same damage followed by a later group means acknowledged records were damaged.
TEST_F(WalTest, DamageFollowedByALaterGroupIsReported) {
  Replayed r;
  auto wal = OpenWal(&env_, &r);
  ASSERT_TRUE(wal->Write({"a"}).ok());
  ASSERT_TRUE(wal->Write({"bb", "cc"}).ok());
  ASSERT_TRUE(wal->Write({"dd"}).ok());
  const size_t group_offset = wal::kWalHeaderSize + 1;
  (*env_.FileData(kFirstSegment))[group_offset + wal::kWalHeaderSize] ^= 0x40;
  auto crashed = env_.CrashCopy();
  Replayed r2;
  auto bad = Wal::Open(crashed.get(), kDir, 0, false, r2.Fn());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kCorruption);
}

TEST_F(WalTest, FailedWriteIsCutBackAndNotAcknowledged) {
  Replayed r;
  auto wal = OpenWal(&env_, &r);
  ASSERT_TRUE(wal->Write({"kept"}).ok());
  env_.SetWriteBudget(10);  // the next record is torn by a full disk
  auto failed = wal->Write({"lost record"});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Code::kNoSpace);
  env_.SetWriteBudget(-1);
  EXPECT_EQ(wal->Write({"after"}).value(), 2u);  // the failed record's seq is reused
  auto crashed = env_.CrashCopy();
  Replayed r2;
  OpenWal(crashed.get(), &r2);
  ASSERT_EQ(r2.records.size(), 2u);
  EXPECT_EQ(r2.records[0].second, "kept");
  EXPECT_EQ(r2.records[1].second, "after");
}

TEST_F(WalTest, FailedSyncIsNotAcknowledged) {
  Replayed r;
  auto wal = OpenWal(&env_, &r);
  env_.SetFailSync(true);
  EXPECT_FALSE(wal->Write({"x"}).ok());
  env_.SetFailSync(false);
  EXPECT_TRUE(wal->Write({"y"}).ok());
  auto crashed = env_.CrashCopy();
  Replayed r2;
  OpenWal(crashed.get(), &r2);
  ASSERT_EQ(r2.records.size(), 1u);
  EXPECT_EQ(r2.records[0].second, "y");
}

TEST_F(WalTest, VerifyReportsDamage) {
  Replayed r;
  auto wal = OpenWal(&env_, &r);
  ASSERT_TRUE(wal->Write({"one", "two"}).ok());
  std::string report;
  EXPECT_TRUE(Wal::Verify(&env_, kDir, &report).ok());
  (*env_.FileData(kFirstSegment))[3] ^= 1;
  EXPECT_EQ(Wal::Verify(&env_, kDir, &report).code(), Code::kCorruption);
  EXPECT_NE(report.find("offset 0"), std::string::npos) << report;
}

}  // namespace
}  // namespace sawlog
