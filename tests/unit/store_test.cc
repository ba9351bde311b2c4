#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "core/log.h"
#include "core/timestamp.h"
#include "core/tokenizer.h"
#include "store/bloom_filter.h"
#include "store/event_codec.h"
#include "store/merge.h"
#include "store/part.h"
#include "store/part_format.h"
#include "store/store.h"
#include "store/token_filter.h"
#include "testing/mem_env.h"

namespace sawlog {
namespace {

using testing::MemEnv;

constexpr int64_t kDay = 86400 * kNanosPerSecond;
constexpr int64_t kBase = 1'700'000'000 * kNanosPerSecond;

Event MakeEvent(const std::string& id, int64_t time, const std::string& stream = "{}") {
  Event e;
  e.time = time;
  e.ingest_time = time + 5;
  e.stream = stream;
  e.msg = "event " + id;
  e.fields = {{"id", id}};
  return e;
}

class Collect final : public ScanVisitor {
 public:
  bool WantRange(int64_t, int64_t) override { return true; }
  bool Test(const Event&) override { return true; }
  void Take(Event&& e) override { events.push_back(std::move(e)); }
  std::multiset<std::string> Ids() const {
    std::multiset<std::string> out;
    for (const auto& e : events) out.insert(*e.Find("id"));
    return out;
  }
  std::vector<Event> events;
};

// Rules out the blocks whose _msg filter lacks the (case-folded) token.
class TokenFilter final : public BlockFilter {
 public:
  explicit TokenFilter(std::string token) : token_(std::move(token)) {}
  bool MayMatch(BlockProbe& probe) const override { return probe.MayContainToken("_msg", token_); }

 private:
  std::string token_;
};

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { SetLogEnabled(false); }
  // A store in /data on env, flushed and maintained only when a test says so.
  static StoreOptions Options(Env* env) {
    StoreOptions o;
    o.dir = "/data";
    o.env = env;
    o.background_flush = false;
    return o;
  }
  std::unique_ptr<Store> OpenStore(Env* env) {
    auto s = Store::Open(Options(env));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static std::multiset<std::string> ScanIds(Store* s, const std::string& tenant = "default") {
    ScanRequest req;
    req.tenant = tenant;
    Collect c;
    EXPECT_TRUE(s->Scan(req, &c).ok());
    return c.Ids();
  }
};

TEST_F(StoreTest, AppendedEventsAreVisibleBeforeAndAfterFlush) {
  MemEnv env;
  auto store = OpenStore(&env);
  ASSERT_TRUE(store->Append("default", {MakeEvent("a", kBase), MakeEvent("b", kBase + 1)}).ok());
  EXPECT_EQ(ScanIds(store.get()), (std::multiset<std::string>{"a", "b"}));
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(ScanIds(store.get()), (std::multiset<std::string>{"a", "b"}));
  EXPECT_EQ(store->Stats().parts, 1u);
  ScanRequest req;
  Collect c;
  ASSERT_TRUE(store->Scan(req, &c).ok());
  ASSERT_EQ(c.events.size(), 2u);
  EXPECT_EQ(c.events[0], MakeEvent("a", kBase));  // every field survives the part round trip
}

TEST_F(StoreTest, ScansStopWhenCancelledOrPastTheirDeadline) {
  MemEnv env;
  auto store = OpenStore(&env);
  ASSERT_TRUE(store->Append("default", {MakeEvent("a", kBase), MakeEvent("b", kBase + 1)}).ok());
  ASSERT_TRUE(store->Flush().ok());
  ScanRequest req;
  std::atomic<bool> gone{true};
  req.cancel = &gone;
  Collect c;
  EXPECT_EQ(store->Scan(req, &c).code(), Code::kUnavailable);
  EXPECT_TRUE(c.events.empty());
  gone = false;
  req.deadline_ns = SteadyNanos() - 1;
  EXPECT_EQ(store->Scan(req, &c).code(), Code::kDeadlineExceeded);
  req.deadline_ns = SteadyNanos() + 60'000'000'000;
  EXPECT_TRUE(store->Scan(req, &c).ok());
  EXPECT_EQ(c.events.size(), 2u);
}

TEST_F(StoreTest, TenantsAreIsolated) {
  MemEnv env;
  auto store = OpenStore(&env);
  ASSERT_TRUE(store->Append("team-a", {MakeEvent("a", kBase)}).ok());
  ASSERT_TRUE(store->Append("team-b", {MakeEvent("b", kBase)}).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->Append("team-a", {MakeEvent("a2", kBase)}).ok());
  EXPECT_EQ(ScanIds(store.get(), "team-a"), (std::multiset<std::string>{"a", "a2"}));
  EXPECT_EQ(ScanIds(store.get(), "team-b"), (std::multiset<std::string>{"b"}));
  EXPECT_TRUE(ScanIds(store.get(), "default").empty());
  EXPECT_TRUE(env.FileExists("/data/tenants/team-a"));
  EXPECT_EQ(store->Append("../x", {MakeEvent("x", kBase)}).code(), Code::kInvalidArgument);
}

TEST_F(StoreTest, EventsGoToTheirDayPartitionAndTimeRangesPrune) {
  MemEnv env;
  auto store = OpenStore(&env);
  ASSERT_TRUE(store->Append("default", {MakeEvent("old", kBase - 3 * kDay), MakeEvent("new", kBase)}).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(store->Stats().parts, 2u);
  EXPECT_TRUE(env.FileExists("/data/tenants/default/" + FormatDay(kBase - 3 * kDay)));
  ScanRequest req;
  req.min_time = kBase - kDay;
  Collect c;
  ASSERT_TRUE(store->Scan(req, &c).ok());
  EXPECT_EQ(c.Ids(), (std::multiset<std::string>{"new"}));
}

TEST_F(StoreTest, SeveralTenantsAppendAllOrNothing) {
  MemEnv env;
  StoreOptions o = Options(&env);
  o.max_head_bytes = 1;  // the head is full once anything is in it
  auto store = std::move(Store::Open(o)).value();
  std::vector<Event> a = {MakeEvent("a1", kBase), MakeEvent("a2", kBase + 1)}, b = {MakeEvent("b1", kBase)};
  std::vector<Event> bad = {MakeEvent("x", kBase)};
  // A tenant the store refuses fails the whole append, before anything is written.
  std::vector<TenantEvents> with_bad = {{"a", &a}, {"no/such tenant", &bad}};
  EXPECT_EQ(store->AppendAll(with_bad).code(), Code::kInvalidArgument);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_TRUE(ScanIds(store.get(), "a").empty());
  std::vector<TenantEvents> both = {{"a", &a}, {"b", &b}};
  ASSERT_TRUE(store->AppendAll(both).ok());
  EXPECT_TRUE(a.empty());
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(ScanIds(store.get(), "a"), (std::multiset<std::string>{"a1", "a2"}));
  EXPECT_EQ(ScanIds(store.get(), "b"), (std::multiset<std::string>{"b1"}));
  // Pushed back: neither tenant's events are taken, so the retry stores each once.
  std::vector<Event> a3 = {MakeEvent("a3", kBase + 2)}, b2 = {MakeEvent("b2", kBase + 2)};
  std::vector<TenantEvents> again = {{"a", &a3}, {"b", &b2}};
  EXPECT_EQ(store->AppendAll(again).code(), Code::kResourceExhausted);
  EXPECT_EQ(a3.size(), 1u);
  EXPECT_EQ(b2.size(), 1u);
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->AppendAll(again).ok());
  EXPECT_EQ(ScanIds(store.get(), "a"), (std::multiset<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(ScanIds(store.get(), "b"), (std::multiset<std::string>{"b1", "b2"}));
  auto crashed = env.CrashCopy();
  auto reopened = OpenStore(crashed.get());
  EXPECT_EQ(ScanIds(reopened.get(), "a"), (std::multiset<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(ScanIds(reopened.get(), "b"), (std::multiset<std::string>{"b1", "b2"}));
}

// The head holds events as the WAL encodes them, not as Event objects (each field alone is a
// 64-byte Field): the flush threshold and the push-back limit count those bytes, so the same
// memory holds several times the events. Scans and folds see every field, time range applied.
TEST_F(StoreTest, TheHeadKeepsEventsEncoded) {
  MemEnv env;
  auto store = OpenStore(&env);
  std::vector<Event> events;
  for (int i = 0; i < 1000; ++i) {
    Event e = MakeEvent(std::to_string(i), kBase + i, "{host=\"web-01\",app=\"api\"}");
    for (const char* name : {"priority", "facility", "severity", "hostname", "app_name", "proc_id", "msg_id"})
      e.fields.push_back({name, std::to_string(i % 7)});
    events.push_back(std::move(e));
  }
  const std::vector<Event> appended = events;
  ASSERT_TRUE(store->Append("default", std::move(events)).ok());
  const size_t as_objects = appended.size() * (sizeof(Event) + 8 * sizeof(Field));
  EXPECT_LT(store->Stats().head_bytes * 3, as_objects);
  ScanRequest req;
  req.min_time = kBase + 10;
  req.max_time = kBase + 20;
  Collect c;
  ASSERT_TRUE(store->Scan(req, &c).ok());
  ASSERT_EQ(c.events.size(), 10u);
  for (size_t i = 0; i < c.events.size(); ++i) EXPECT_TRUE(c.events[i] == appended[10 + i]) << i;
}

TEST_F(StoreTest, AcknowledgedEventsSurviveACrashBeforeFlush) {
  MemEnv env;
  auto store = OpenStore(&env);
  ASSERT_TRUE(store->Append("default", {MakeEvent("a", kBase)}).ok());
  auto crashed = env.CrashCopy();
  auto reopened = OpenStore(crashed.get());
  EXPECT_EQ(ScanIds(reopened.get()), (std::multiset<std::string>{"a"}));
}

TEST_F(StoreTest, NothingIsDuplicatedAfterFlushAndCrash) {
  MemEnv env;
  auto store = OpenStore(&env);
  ASSERT_TRUE(store->Append("default", {MakeEvent("a", kBase)}).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->Append("default", {MakeEvent("b", kBase)}).ok());
  auto crashed = env.CrashCopy();
  auto reopened = OpenStore(crashed.get());
  EXPECT_EQ(ScanIds(reopened.get()), (std::multiset<std::string>{"a", "b"}));
  ASSERT_TRUE(reopened->Flush().ok());
  auto crashed2 = crashed->CrashCopy();
  EXPECT_EQ(ScanIds(OpenStore(crashed2.get()).get()), (std::multiset<std::string>{"a", "b"}));
}

TEST_F(StoreTest, DiskFullRefusesAppendAndLosesNothing) {
  MemEnv env;
  auto store = OpenStore(&env);
  ASSERT_TRUE(store->Append("default", {MakeEvent("a", kBase)}).ok());
  env.SetWriteBudget(0);
  std::vector<Event> refused = {MakeEvent("refused", kBase)};
  Status st = store->Append("default", std::move(refused));
  EXPECT_EQ(st.code(), Code::kNoSpace) << st.ToString();
  // A refused batch is left to the caller, whole, for its retry.
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0], MakeEvent("refused", kBase));
  EXPECT_FALSE(store->Flush().ok());  // parts cannot be written either
  env.SetWriteBudget(-1);             // space returns
  ASSERT_TRUE(store->Append("default", {MakeEvent("b", kBase)}).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(ScanIds(store.get()), (std::multiset<std::string>{"a", "b"}));
  auto crashed = env.CrashCopy();
  EXPECT_EQ(ScanIds(OpenStore(crashed.get()).get()), (std::multiset<std::string>{"a", "b"}));
}

TEST_F(StoreTest, ConcurrentWritersShareCommitsAndLoseNothing) {
  MemEnv env;
  auto store = OpenStore(&env);
  constexpr int kThreads = 8, kBatches = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::string id = std::to_string(t) + "-" + std::to_string(b);
        ASSERT_TRUE(store->Append("default", {MakeEvent(id, kBase + b)}).ok());
        if (t == 0 && b % 10 == 0) {
          ASSERT_TRUE(store->Flush().ok());
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ScanIds(store.get()).size(), size_t{kThreads * kBatches});
  auto crashed = env.CrashCopy();
  auto ids = ScanIds(OpenStore(crashed.get()).get());
  EXPECT_EQ(ids.size(), size_t{kThreads * kBatches});
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

// Random faults at every step (appends, flushes, merges): writes that fail part-way (torn),
// failing syncs, crashes.
// After each crash, every acknowledged event is there exactly once and nothing else is doubled.
TEST_F(StoreTest, RandomFaultsAndCrashesKeepAcknowledgedEventsExactlyOnce) {
  std::mt19937 rng(20261126);
  auto env = std::make_unique<MemEnv>();
  std::set<std::string> acked;
  int next_id = 0;
  for (int round = 0; round < 120; ++round) {
    auto store = OpenStore(env.get());
    ASSERT_NE(store, nullptr) << "round " << round;
    auto ids = ScanIds(store.get());
    for (const auto& id : acked) ASSERT_EQ(ids.count(id), 1u) << "round " << round << " lost or doubled " << id;
    for (const auto& id : ids) ASSERT_EQ(ids.count(id), 1u) << "round " << round << " doubled " << id;
    const int steps = 1 + static_cast<int>(rng() % 6);
    for (int s = 0; s < steps; ++s) {
      int fault = static_cast<int>(rng() % 10);
      if (fault == 0) env->SetWriteBudget(static_cast<int64_t>(rng() % 400));
      if (fault == 1) env->SetFailSync(true);
      if (rng() % 6 == 0) {
        (void)store->Maintain();  // merges, each able to fail or be cut short by the crash
      } else if (rng() % 3 == 0) {
        (void)store->Flush();
      } else {
        std::vector<Event> batch;
        std::vector<std::string> batch_ids;
        for (int k = 0, n = 1 + static_cast<int>(rng() % 5); k < n; ++k) {
          batch_ids.push_back(std::to_string(next_id++));
          batch.push_back(MakeEvent(batch_ids.back(), kBase + static_cast<int64_t>(rng() % 3) * kDay));
        }
        if (store->Append("default", std::move(batch)).ok()) acked.insert(batch_ids.begin(), batch_ids.end());
      }
      env->SetWriteBudget(-1);
      env->SetFailSync(false);
    }
    auto survivor = env->CrashCopy();
    store.reset();  // the "dead" process's store still runs its Close() on its own, doomed env
    env = std::move(survivor);
  }
  EXPECT_GT(acked.size(), 50u);
}

TEST_F(StoreTest, MergesBoundThePartsAndKeepEveryEventOnce) {
  MemEnv env;
  auto store = OpenStore(&env);
  std::multiset<std::string> expected;
  for (int flush = 0; flush < 20; ++flush) {
    std::vector<Event> batch;
    for (int k = 0; k < 30; ++k) {
      std::string id = std::to_string(flush) + "-" + std::to_string(k);
      expected.insert(id);
      batch.push_back(MakeEvent(id, kBase + (k * 7919 % 100) * kNanosPerSecond, k % 2 ? "{s=\"a\"}" : "{s=\"b\"}"));
    }
    ASSERT_TRUE(store->Append("default", std::move(batch)).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  EXPECT_EQ(store->Stats().parts, 20u);
  ASSERT_TRUE(store->Maintain().ok());
  EXPECT_LT(store->Stats().parts, 8u);
  EXPECT_EQ(ScanIds(store.get()), expected);
  // The merged parts are what a restart (or a crash) finds: the inputs are gone for good.
  auto crashed = env.CrashCopy();
  auto reopened = OpenStore(crashed.get());
  EXPECT_EQ(ScanIds(reopened.get()), expected);
  EXPECT_LT(reopened->Stats().parts, 8u);
  // In a merged part, each stream's rows are in time order across its blocks.
  const std::string day_dir = "/data/tenants/default/" + FormatDay(kBase);
  auto files = crashed->GetChildren(day_dir);
  ASSERT_TRUE(files.ok());
  for (const auto& f : *files) {
    auto part = PartReader::Open(crashed.get(), day_dir + "/" + f);
    ASSERT_TRUE(part.ok()) << part.status().ToString();
    std::vector<Event> events;
    for (size_t b = 0; b < (*part)->blocks().size(); ++b) ASSERT_TRUE((*part)->ReadBlock(b, &events).ok());
    for (size_t i = 1; i < events.size(); ++i) {
      if (events[i].stream == events[i - 1].stream) {
        EXPECT_LE(events[i - 1].time, events[i].time) << f;
      }
    }
  }
}

// The part files of the default tenant's partition of day_time, opened, by file name.
std::map<std::string, std::unique_ptr<PartReader>> OpenPartsOfDay(MemEnv* env, int64_t day_time) {
  const std::string dir = "/data/tenants/default/" + FormatDay(day_time);
  std::map<std::string, std::unique_ptr<PartReader>> out;
  auto files = env->GetChildren(dir);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  if (!files.ok()) return out;
  for (const auto& f : *files) {
    if (!f.ends_with(".part")) continue;
    auto part = PartReader::Open(env, dir + "/" + f);
    EXPECT_TRUE(part.ok()) << part.status().ToString();
    if (part.ok()) out[f] = std::move(part).value();
  }
  return out;
}

// Flushed parts have no bloom filters; those no size tier takes, in a partition that never
// settles, are merged among themselves once they are unfiltered_merge_delay_ns old, so every part
// that stays has filters. A search finds the same events either way (a part without filters is
// read in full).
TEST_F(StoreTest, FlushedPartsGetFiltersFromAMergeWithinTheDelay) {
  MemEnv env;
  env.SetNow(kBase);
  StoreOptions never_settles = Options(&env);
  never_settles.settle_ns = -1;
  auto open = [&] { return std::move(Store::Open(never_settles)).value(); };
  auto store = open();
  std::multiset<std::string> expected;
  for (int flush = 0; flush < 2; ++flush) {
    std::string id = "f" + std::to_string(flush);
    expected.insert(id);
    ASSERT_TRUE(store->Append("default", {MakeEvent(id, kBase + flush)}).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  auto filters = [&] {
    std::vector<bool> out;
    for (const auto& [file, part] : OpenPartsOfDay(&env, kBase)) out.push_back(part->has_filters());
    return out;
  };
  auto found = [&](const std::string& token) {
    ScanRequest req;
    TokenFilter filter(token);
    req.filter = &filter;
    Collect c;
    EXPECT_TRUE(store->Scan(req, &c).ok());
    return c.Ids();
  };
  EXPECT_EQ(filters(), std::vector<bool>({false, false}));
  EXPECT_EQ(found("f1"), std::multiset<std::string>({"f0", "f1"}));  // nothing ruled out
  ASSERT_TRUE(store->Maintain().ok());  // too young: two parts are no tier
  EXPECT_EQ(store->Stats().parts, 2u);
  env.SetNow(kBase + StoreOptions().unfiltered_merge_delay_ns);
  ASSERT_TRUE(store->Maintain().ok());
  EXPECT_EQ(store->Stats().parts, 1u);
  EXPECT_EQ(filters(), std::vector<bool>({true}));
  EXPECT_EQ(ScanIds(store.get()), expected);
  // The merged part's filters rule out a token no event has, and keep one that one has.
  EXPECT_EQ(found("f1"), std::multiset<std::string>({"f0", "f1"}));
  EXPECT_TRUE(found("absent").empty());
  ASSERT_TRUE(store->Maintain().ok());  // nothing left to do
  EXPECT_EQ(store->Stats().parts, 1u);
  // A flushed part found at start (the last flush before a stop) gets them as well.
  ASSERT_TRUE(store->Append("default", {MakeEvent("f2", kBase + 2)}).ok());
  store.reset();  // Close() flushes
  store = open();
  EXPECT_EQ(filters(), std::vector<bool>({true, false}));
  env.SetNow(kBase + 2 * StoreOptions().unfiltered_merge_delay_ns);
  ASSERT_TRUE(store->Maintain().ok());
  EXPECT_EQ(filters(), std::vector<bool>({true, true}));  // rewritten alone: two parts are no tier
  expected.insert("f2");
  EXPECT_EQ(ScanIds(store.get()), expected);
}

TEST_F(StoreTest, RetentionDropsWholeOldDays) {
  MemEnv env;
  env.SetNow(kBase);
  StoreOptions o = Options(&env);
  o.retention_ns = 2 * kDay;
  auto store = std::move(Store::Open(o)).value();
  ASSERT_TRUE(store->Append("default", {MakeEvent("today", kBase), MakeEvent("yesterday", kBase - kDay),
                                         MakeEvent("old", kBase - 5 * kDay)}).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->Maintain().ok());
  EXPECT_EQ(ScanIds(store.get()), (std::multiset<std::string>{"today", "yesterday"}));
  EXPECT_FALSE(env.FileExists("/data/tenants/default/" + FormatDay(kBase - 5 * kDay)));
  auto crashed = env.CrashCopy();
  EXPECT_EQ(ScanIds(OpenStore(crashed.get()).get()), (std::multiset<std::string>{"today", "yesterday"}));
}

TEST_F(StoreTest, DiskLimitDropsTheOldestDaysButNeverTheNewest) {
  MemEnv env;
  StoreOptions o = Options(&env);
  o.max_disk_bytes = 1;  // less than any part
  auto store = std::move(Store::Open(o)).value();
  ASSERT_TRUE(store->Append("default", {MakeEvent("d0", kBase), MakeEvent("d1", kBase - kDay),
                                         MakeEvent("d2", kBase - 2 * kDay)}).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->Maintain().ok());
  EXPECT_EQ(ScanIds(store.get()), (std::multiset<std::string>{"d0"}));
}

// The part files of a day partition, each with whether it was written to last (token pairs).
std::map<std::string, bool> PartsOfDay(MemEnv* env, int64_t day_time) {
  std::map<std::string, bool> out;
  for (const auto& [file, part] : OpenPartsOfDay(env, day_time)) out[file] = part->has_msg_pairs();
  return out;
}

TEST_F(StoreTest, ASettledPartitionMergesItsShortLivedPartsIntoOneThatLasts) {
  MemEnv env;
  env.SetNow(kBase);
  auto store = OpenStore(&env);
  std::multiset<std::string> expected;
  for (int flush = 0; flush < 3; ++flush) {  // fewer than a size tier merges
    const std::string id = "f" + std::to_string(flush);
    expected.insert(id);
    ASSERT_TRUE(store->Append("default", {MakeEvent(id, kBase + flush)}).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  ASSERT_TRUE(store->Maintain().ok());
  EXPECT_EQ(PartsOfDay(&env, kBase).size(), 3u);
  // Not yet settled: parts keep coming in a busy partition, and size tiers merge them.
  env.SetNow(kBase + StoreOptions().settle_ns - 1);
  ASSERT_TRUE(store->Maintain().ok());
  EXPECT_EQ(PartsOfDay(&env, kBase).size(), 3u);
  env.SetNow(kBase + StoreOptions().settle_ns);
  ASSERT_TRUE(store->Maintain().ok());
  const auto settled = PartsOfDay(&env, kBase);
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_TRUE(settled.begin()->second);
  EXPECT_EQ(ScanIds(store.get()), expected);
  // A part that lasts is left alone; a later short-lived one, once settled, is made to last too.
  ASSERT_TRUE(store->Append("default", {MakeEvent("late", kBase + 10)}).ok());
  expected.insert("late");
  ASSERT_TRUE(store->Flush().ok());
  env.SetNow(kBase + 3 * StoreOptions().settle_ns);
  ASSERT_TRUE(store->Maintain().ok());
  const auto later = PartsOfDay(&env, kBase);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_TRUE(later.count(settled.begin()->first));
  for (const auto& [file, lasting] : later) EXPECT_TRUE(lasting) << file;
  ASSERT_TRUE(store->Maintain().ok());  // nothing left to do
  EXPECT_EQ(PartsOfDay(&env, kBase), later);
  EXPECT_EQ(ScanIds(store.get()), expected);
  auto crashed = env.CrashCopy();
  EXPECT_EQ(ScanIds(OpenStore(crashed.get()).get()), expected);
}

TEST_F(StoreTest, PartsFoundAtStartSettleAtTheFirstMaintenance) {
  MemEnv env;
  env.SetNow(kBase);
  {
    auto store = OpenStore(&env);
    for (const char* id : {"a", "b"}) {
      ASSERT_TRUE(store->Append("default", {MakeEvent(id, kBase)}).ok());
      ASSERT_TRUE(store->Flush().ok());
    }
    ASSERT_TRUE(store->Close().ok());
  }
  auto reopened = OpenStore(&env);  // at the same moment: no time has passed for the clock
  EXPECT_EQ(PartsOfDay(&env, kBase).size(), 2u);
  ASSERT_TRUE(reopened->Maintain().ok());
  const auto parts = PartsOfDay(&env, kBase);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_TRUE(parts.begin()->second);
  EXPECT_EQ(ScanIds(reopened.get()), (std::multiset<std::string>{"a", "b"}));
}

TEST_F(StoreTest, RepeatedAndOddFieldNamesSurviveTheColumns) {
  MemEnv env;
  auto store = OpenStore(&env);
  Event twice = MakeEvent("twice", kBase);
  twice.fields = {{"id", "twice"}, {"a", "1"}, {"a", "2"}};
  Event odd = MakeEvent("odd", kBase + 1);
  odd.fields = {{"id", "odd"}, {std::string("a\0" "1", 3), "3"}};
  ASSERT_TRUE(store->Append("default", {twice, odd}).ok());
  ASSERT_TRUE(store->Flush().ok());
  ScanRequest req;
  Collect c;
  ASSERT_TRUE(store->Scan(req, &c).ok());
  ASSERT_EQ(c.events.size(), 2u);
  for (const auto& e : c.events) EXPECT_EQ(e, *e.Find("id") == "twice" ? twice : odd);
}

TEST_F(StoreTest, RefusesToOpenPartsWithoutAManifest) {
  MemEnv env;
  {
    auto store = OpenStore(&env);
    ASSERT_TRUE(store->Append("default", {MakeEvent("a", kBase)}).ok());
    ASSERT_TRUE(store->Close().ok());
  }
  ASSERT_TRUE(env.RemoveFile("/data/MANIFEST").ok());
  auto reopened = Store::Open(Options(&env));
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), Code::kCorruption);
  EXPECT_NE(reopened.status().message().find("MANIFEST' is missing"), std::string::npos) << reopened.status().message();
}

TEST_F(StoreTest, CheckFindsDamagedParts) {
  MemEnv env;
  {
    auto store = OpenStore(&env);
    ASSERT_TRUE(store->Append("default", {MakeEvent("a", kBase)}).ok());
    ASSERT_TRUE(store->Close().ok());
  }
  std::string report;
  EXPECT_TRUE(CheckStore(&env, "/data", &report).ok()) << report;
  auto children = env.GetChildren("/data/tenants/default/" + FormatDay(kBase));
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children->size(), 1u);
  std::string path = "/data/tenants/default/" + FormatDay(kBase) + "/" + children->front();
  (*env.FileData(path))[2] ^= 0x10;
  report.clear();
  EXPECT_EQ(CheckStore(&env, "/data", &report).code(), Code::kCorruption);
  EXPECT_NE(report.find(path), std::string::npos) << report;
}

// Parts as merges meet them: several streams, times that overlap between parts and tie across
// them, fields some rows lack or repeat, streams long enough for several blocks and messages big
// enough to end blocks by bytes.
std::vector<std::vector<Event>> MergeInputs() {
  std::mt19937 rnd(7);
  std::vector<std::vector<Event>> inputs(5);
  for (size_t p = 0; p < inputs.size(); ++p) {
    const int rows = p == 2 ? 40000 : 3000;
    for (int i = 0; i < rows; ++i) {
      const std::string stream = "{s=\"" + std::to_string(rnd() % 4) + "\"}";
      // Parts overlap in time; every 10th row of each part is at the same instant.
      const int64_t t = i % 10 == 0 ? kBase : kBase + (static_cast<int64_t>(p) * 1000 + i) * 1'000'000;
      Event e = MakeEvent(std::to_string(p) + "-" + std::to_string(i), t, stream);
      if (i % 3 == 0) e.fields.push_back({"status", std::to_string(200 + i % 5)});
      if (i % 7 == 0) e.fields.push_back({"tag", "x"}), e.fields.push_back({"tag", "y"});
      if (p == 4 && i % 500 == 0) e.msg += std::string(300'000, 'm');
      inputs[p].push_back(std::move(e));
    }
  }
  return inputs;
}

// MergeParts writes the same bytes as a part writer given every input event in (stream, time)
// order, ties in input order: every row, in order, with the same blocks, columns and checksums.
TEST(MergeParts, WritesWhatThePartWriterWritesOfTheEventsInOrder) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  std::vector<std::unique_ptr<PartReader>> parts;
  std::vector<const PartReader*> readers;
  std::vector<Event> all;
  uint64_t input_bytes = 0;
  const auto inputs = MergeInputs();
  for (size_t p = 0; p < inputs.size(); ++p) {
    std::vector<const Event*> ptrs;
    for (const auto& e : inputs[p]) ptrs.push_back(&e);
    const std::string path = "/d/in" + std::to_string(p) + ".part";
    ASSERT_TRUE(WritePart(&env, path, ptrs).ok());
    parts.push_back(std::move(PartReader::Open(&env, path)).value());
    readers.push_back(parts.back().get());
    input_bytes += parts.back()->size();
    for (size_t b = 0; b < parts.back()->blocks().size(); ++b) ASSERT_TRUE(parts.back()->ReadBlock(b, &all).ok());
  }
  ASSERT_GT(parts[2]->blocks().size(), 4u);  // its 4 streams take several blocks each
  ASSERT_LT(input_bytes, part::kSmallMergeBytes);
  std::stable_sort(all.begin(), all.end(),
                   [](const Event& a, const Event& b) { return std::tie(a.stream, a.time) < std::tie(b.stream, b.time); });

  auto merged = MergeParts(&env, readers, "/d/merged.part");
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  auto writer = std::move(PartWriter::Create(&env, "/d/expected.part", part::kSmallMergeZstdLevel)).value();
  for (const auto& e : all) ASSERT_TRUE(writer->Add(e).ok());
  auto expected = writer->Finish();
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(merged->rows, all.size());
  EXPECT_EQ(merged->rows, expected->rows);
  EXPECT_EQ(merged->min_time, expected->min_time);
  EXPECT_EQ(merged->max_time, expected->max_time);
  EXPECT_TRUE(*env.FileData("/d/merged.part") == *env.FileData("/d/expected.part"));

  auto out = std::move(PartReader::Open(&env, "/d/merged.part")).value();
  EXPECT_TRUE(out->Check().ok());
  std::vector<Event> read;
  for (size_t b = 0; b < out->blocks().size(); ++b) {
    const BlockInfo& info = out->blocks()[b];
    EXPECT_LE(info.rows, part::kMaxBlockRows);
    const size_t first = read.size();
    ASSERT_TRUE(out->ReadBlock(b, &read).ok());
    EXPECT_EQ(read[first].time, info.min_time);
    EXPECT_EQ(read.back().time, info.max_time);
    if (b > 0) {
      EXPECT_LE(out->blocks()[b - 1].stream, info.stream);
    }
  }
  // A block's columns follow the first row that has each: fields may come in another order.
  auto by_name = [](std::vector<Event>* events) {
    for (auto& e : *events)
      std::stable_sort(e.fields.begin(), e.fields.end(), [](const Field& a, const Field& b) { return a.name < b.name; });
  };
  by_name(&read);
  by_name(&all);
  ASSERT_EQ(read.size(), all.size());
  for (size_t i = 0; i < read.size(); ++i) ASSERT_TRUE(read[i] == all[i]) << i;
}

// The flush writes the head's events from their encoding, read in place: the part is byte for
// byte the one written from the events themselves, blocks cut where they would be (by rows, and
// by bytes where big messages end them) and rows in the same order, ties in time included.
TEST(WritePart, FromEncodedEventsWritesWhatItWritesFromTheEvents) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  std::vector<Event> events;
  for (int copy = 0; copy < 2; ++copy)  // streams of ~26,000 rows: several blocks each
    for (auto& input : MergeInputs())
      for (auto& e : input) events.push_back(std::move(e));
  std::vector<const Event*> ptrs;
  std::string encoded;
  std::vector<size_t> ends;
  for (const auto& e : events) {
    ptrs.push_back(&e);
    EncodeEvent(&encoded, e);
    ends.push_back(encoded.size());
  }
  std::vector<EncodedEvent> rows(events.size());
  Decoder in(encoded);
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_TRUE(SkipEvent(&in, &rows[i]));
    EXPECT_EQ(rows[i].time, events[i].time);
    EXPECT_EQ(rows[i].stream, events[i].stream);
    EXPECT_EQ(rows[i].bytes.data() + rows[i].bytes.size(), encoded.data() + ends[i]);
  }
  EXPECT_TRUE(in.empty());

  auto from_events = WritePart(&env, "/d/events.part", ptrs);
  auto from_encoded = WritePart(&env, "/d/encoded.part", rows);
  ASSERT_TRUE(from_events.ok() && from_encoded.ok());
  EXPECT_EQ(from_encoded->rows, events.size());
  EXPECT_TRUE(*env.FileData("/d/events.part") == *env.FileData("/d/encoded.part"));
  auto part = std::move(PartReader::Open(&env, "/d/encoded.part")).value();
  size_t short_blocks = 0;
  for (const auto& b : part->blocks()) short_blocks += b.rows < part::kMaxBlockRows;
  EXPECT_GT(short_blocks, 4u);  // some blocks ended by bytes (and each stream's last)

  // Damage is refused, not written as a part that lacks rows.
  rows[100].bytes = rows[100].bytes.substr(0, 3);
  EXPECT_EQ(WritePart(&env, "/d/damaged.part", rows).status().code(), Code::kCorruption);
}

// Each column's bloom filter is the filter of every token of every row's value, whichever way
// the writer found them (per row, or per distinct value for a dictionary or constant column).
TEST(PartWriter, BloomFiltersHoldEveryTokenOfTheirRows) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  std::vector<Event> events;
  for (int i = 0; i < 2000; ++i) {
    Event e = MakeEvent(std::to_string(i), kBase + i, "{s=\"a\"}");
    e.msg = "Request " + std::to_string(i % 400) + " served by Worker-" + std::to_string(i % 3);
    e.fields.push_back({"level", i % 5 ? "INFO" : "Warn"});                   // a dictionary
    e.fields.push_back({"host", "web-01.example"});                           // constant
    if (i % 2) e.fields.push_back({"user", "U" + std::to_string(i)});  // > 256 distinct, some absent
    events.push_back(std::move(e));
  }
  std::vector<const Event*> ptrs;
  for (const auto& e : events) ptrs.push_back(&e);
  ASSERT_TRUE(WritePart(&env, "/d/p.part", ptrs).ok());
  BloomCache cache(64 << 20);
  auto part = std::move(PartReader::Open(&env, "/d/p.part", &cache)).value();
  auto blooms = part->PinBlooms();
  ASSERT_TRUE(blooms.ok() && *blooms != nullptr);
  std::vector<Event> read;
  size_t slot = 0;
  for (size_t b = 0; b < part->blocks().size(); ++b) {
    read.clear();
    ASSERT_TRUE(part->ReadBlock(b, &read).ok());
    for (const auto& col : part->blocks()[b].columns) {
      const size_t this_slot = slot++;
      if (col.name == "_time" || col.name == "_ingest_time") continue;
      std::vector<uint64_t> hashes;
      for (const auto& e : read)
        if (const std::string* v = e.Find(col.name))
          ForEachFoldedToken(*v, [&](std::string_view t) { hashes.push_back(TokenHash(t)); });
      EXPECT_TRUE((*blooms)->Get(this_slot) == BuildBloomFilter(hashes)) << "block " << b << " column " << col.name;
    }
  }
  ASSERT_EQ(part->blocks().size(), 1u);
  EXPECT_EQ(part->blocks()[0].columns.size(), 7u);  // _time, _ingest_time, _msg, id, level, host, user
}

// The filter builder remembers recent tokens by their bytes: tokens of every size around its
// 16-byte limit, at value ends and alone, in either case, repeated or alike, must each be in the
// filter as plainly hashing every token puts them there.
TEST(TokenFilterBuilder, BuildsTheFilterOfEveryToken) {
  std::mt19937 rnd(5);
  TokenFilterBuilder builder;
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> texts;
    for (size_t v = 0, values = 1 + rnd() % 300; v < values; ++v) {
      std::string text;
      for (size_t t = 0, tokens = rnd() % 6; t < tokens; ++t) {
        // Few distinct letters: tokens that differ in one byte or only in their size.
        for (size_t i = 0, size = 1 + rnd() % 20; i < size; ++i) text += "aAbB0_\xc3"[rnd() % 7];
        if (rnd() % 4 != 0) text += " -."[rnd() % 3];
      }
      texts.push_back(text);
    }
    std::vector<std::optional<std::string_view>> values;
    std::vector<uint64_t> hashes;
    std::vector<std::unique_ptr<char[]>> exact;  // each value alone: the sanitizer sees reads past it
    for (const auto& text : texts) {
      exact.push_back(std::make_unique<char[]>(text.size()));
      std::memcpy(exact.back().get(), text.data(), text.size());
      values.emplace_back(std::string_view(exact.back().get(), text.size()));
      std::vector<uint64_t> value_hashes;
      ForEachFoldedToken(text, [&](std::string_view t) { value_hashes.push_back(TokenHash(t)); });
      for (size_t i = 0; i < value_hashes.size(); ++i) {
        hashes.push_back(value_hashes[i]);
        if (round % 2 == 1 && i > 0) {  // the pairs of neighbours without digits
          auto has_digit = [&](size_t k) {
            bool digit = false;
            size_t at = 0;
            ForEachFoldedToken(text, [&](std::string_view t) { digit = digit || (at++ == k && IsVariableToken(t)); });
            return digit;
          };
          if (!has_digit(i - 1) && !has_digit(i)) hashes.push_back(TokenPairHash(value_hashes[i - 1], value_hashes[i]));
        }
      }
    }
    ASSERT_EQ(builder.Build(values, DistinctValues(), round % 2 == 1), BuildBloomFilter(hashes)) << "round " << round;
  }
}

// The filters' bytes for fixed rows, pinned: a faster filter builder must write the same filters
// (parts written before and after are read alike), with token pairs (rich _msg) and without.
TEST(PartWriter, FiltersOfFixedRowsKeepTheirBytes) {
  std::mt19937 rnd(11);  // its raw output is the same everywhere (its distributions are not)
  static const char* const kWords[] = {"Connection", "accepted", "FROM", "user", "a", "Z9", "_", "x1y2",
                                       "gr\xc3\xbc\xc3\x9f" "e", "request-id", "ABCDEFGHIJKLMNOP", "abcdefghijklmnopq",
                                       "Timeout", "cache", "miss", "0", "12345678901234567890123"};
  std::vector<Event> events;
  for (int i = 0; i < 12000; ++i) {
    Event e = MakeEvent(std::to_string(i), kBase + i, i < 9000 ? "{s=\"a\"}" : "{s=\"b\"}");
    e.msg.clear();
    for (size_t w = 0, words = 3 + rnd() % 12; w < words; ++w) {
      e.msg += kWords[rnd() % 17];
      e.msg += " .,:=/\t"[rnd() % 7];
    }
    e.msg += "seq=" + std::to_string(i) + " id=" + std::to_string(rnd());
    if (i % 1000 == 7) e.msg += " " + std::string(300, static_cast<char>('A' + i % 26)) + "tail";
    e.fields.push_back({"level", i % 5 ? "INFO" : "Warn"});
    if (i % 2) e.fields.push_back({"user", "U" + std::to_string(rnd() % 700)});
    events.push_back(std::move(e));
  }
  std::vector<const Event*> ptrs;
  for (const auto& e : events) ptrs.push_back(&e);
  auto digest = [&](bool pairs) {
    MemEnv env;
    EXPECT_TRUE(env.CreateDirs("/d").ok());
    EXPECT_TRUE(WritePart(&env, "/d/p.part", ptrs, /*always_template=*/pairs).ok());
    BloomCache cache(64 << 20);
    auto part = std::move(PartReader::Open(&env, "/d/p.part", &cache)).value();
    EXPECT_EQ(part->has_msg_pairs(), pairs);
    auto blooms = part->PinBlooms();
    EXPECT_TRUE(blooms.ok() && *blooms != nullptr);
    std::string all;
    size_t slot = 0;
    for (const auto& block : part->blocks())
      for (const auto& col : block.columns) {
        const std::string_view bloom = (*blooms)->Get(slot++);
        all += col.name + "=" + std::to_string(bloom.size()) + ":";
        all += bloom;
      }
    EXPECT_EQ(part->blocks().size(), 6u);
    return XXH3_64bits(all.data(), all.size());
  };
  EXPECT_EQ(digest(false), 5397852378743332109ull);
  EXPECT_EQ(digest(true), 18142782530243135111ull);
}

// A part whose blocks are not in stream order (not one sawlog writes) is refused, not merged
// with rows left out.
TEST(MergeParts, RefusesPartsWhoseStreamsAreOutOfOrder) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  auto writer = std::move(PartWriter::Create(&env, "/d/bad.part", 1)).value();
  Event b = MakeEvent("b", kBase, "{s=\"b\"}"), a = MakeEvent("a", kBase, "{s=\"a\"}");
  ASSERT_TRUE(writer->Add(b).ok());
  ASSERT_TRUE(writer->Add(a).ok());
  ASSERT_TRUE(writer->Finish().ok());
  Event c = MakeEvent("c", kBase, "{s=\"c\"}");
  ASSERT_TRUE(WritePart(&env, "/d/good.part", {&c}).ok());
  auto bad = std::move(PartReader::Open(&env, "/d/bad.part")).value();
  auto good = std::move(PartReader::Open(&env, "/d/good.part")).value();
  auto merged = MergeParts(&env, {good.get(), bad.get()}, "/d/merged.part");
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.status().code(), Code::kCorruption);
  EXPECT_NE(merged.status().message().find("/d/bad.part"), std::string::npos) << merged.status().message();
}

// A merge cut short by a full disk or a crash at any point loses nothing and doubles nothing:
// the inputs stay in the manifest until the merged part is whole and synced.
TEST_F(StoreTest, AMergeCutShortAtAnyPointLosesNothing) {
  std::multiset<std::string> expected;
  MemEnv env;
  {
    auto store = OpenStore(&env);
    for (int flush = 0; flush < 4; ++flush) {
      std::vector<Event> batch;
      for (int k = 0; k < 400; ++k) {
        std::string id = std::to_string(flush) + "-" + std::to_string(k);
        expected.insert(id);
        batch.push_back(MakeEvent(id, kBase + k * kNanosPerSecond + flush, k % 3 ? "{s=\"a\"}" : "{s=\"b\"}"));
      }
      ASSERT_TRUE(store->Append("default", std::move(batch)).ok());
      ASSERT_TRUE(store->Flush().ok());
    }
    ASSERT_TRUE(store->Close().ok());
  }
  // The merged part's size first (a merge that succeeds), then budgets that run out inside it.
  uint64_t merged_bytes = 0;
  for (int64_t budget : {-1, 0, 1, 2, 3, 4}) {
    if (budget > 0) budget = static_cast<int64_t>(merged_bytes) * budget / 4 - 1;
    SCOPED_TRACE(budget);
    auto copy = env.CrashCopy();
    auto store = OpenStore(copy.get());
    ASSERT_EQ(store->Stats().parts, 4u);
    copy->SetWriteBudget(budget);
    Status st = store->Maintain();
    EXPECT_EQ(st.ok(), budget < 0) << st.ToString();
    copy->SetWriteBudget(-1);
    auto crashed = copy->CrashCopy();
    store.reset();
    auto reopened = OpenStore(crashed.get());
    EXPECT_EQ(ScanIds(reopened.get()), expected);
    EXPECT_EQ(reopened->Stats().parts, budget < 0 ? 1u : 4u);
    if (budget < 0) merged_bytes = reopened->Stats().part_bytes;
    std::string report;
    EXPECT_TRUE(CheckStore(crashed.get(), "/data", &report).ok()) << report;
  }
}

// Version 4 only added an encoding: version-3 parts still open; versions this binary does not
// know are refused by number.
TEST(PartVersion, OlderReadableVersionsOpenUnknownOnesAreNamed) {
  MemEnv env;
  std::vector<Event> events;
  for (int i = 0; i < 300; ++i) events.push_back(MakeEvent(std::to_string(i), kBase + i * 1'234'567));
  std::vector<const Event*> ptrs;
  for (const auto& e : events) ptrs.push_back(&e);
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  auto written = WritePart(&env, "/d/p.part", ptrs);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  std::string& data = *env.FileData("/d/p.part");
  const size_t version_at = data.size() - 16;
  for (uint32_t version : {2u, 3u, 4u, 5u, 6u, 7u}) {
    SCOPED_TRACE(version);
    for (int b = 0; b < 4; ++b) data[version_at + b] = static_cast<char>(version >> (8 * b));
    auto part = PartReader::Open(&env, "/d/p.part");
    if (version >= 3 && version <= 6) {
      ASSERT_TRUE(part.ok()) << part.status().ToString();
      EXPECT_TRUE((*part)->Check().ok());
    } else {
      ASSERT_FALSE(part.ok());
      EXPECT_NE(part.status().ToString().find("unsupported part format version " + std::to_string(version)),
                std::string::npos)
          << part.status().ToString();
    }
  }
}

// Writes events (one stream, in time order) with a writer at zstd level; returns the part's path.
std::string WriteAtLevel(MemEnv* env, const std::vector<Event>& events, int level) {
  const std::string path = "/d/" + std::to_string(level) + ".part";
  EXPECT_TRUE(env->CreateDirs("/d").ok());
  auto writer = PartWriter::Create(env, path, level);
  EXPECT_TRUE(writer.ok());
  for (const auto& e : events) EXPECT_TRUE((*writer)->Add(e).ok());
  EXPECT_TRUE((*writer)->Finish().ok());
  return path;
}

TEST(PartTemplates, MergedPartsStoreMessagesAsTemplatesAndReadThemBackExactly) {
  MemEnv env;
  std::vector<Event> events;
  std::mt19937_64 rng(7);
  const char* kinds[] = {"Receiving block blk_", "PacketResponder 1 for block blk_", "Deleting block blk_",
                         "BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.7.", "Verification succeeded for blk_"};
  for (int i = 0; i < 3000; ++i) {
    Event e = MakeEvent(std::to_string(i), kBase + i * 1'000);
    e.msg = std::string(kinds[rng() % 5]) + std::to_string(static_cast<int64_t>(rng())) + " src: /10.250." +
            std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + ":" + std::to_string(rng() % 65536) +
            " size " + std::to_string(rng() % 100000000) + " terminating";
    events.push_back(std::move(e));
  }
  for (int level : {sawlog::part::kFlushZstdLevel, sawlog::part::kTemplateZstdLevel}) {
    SCOPED_TRACE(level);
    auto part = PartReader::Open(&env, WriteAtLevel(&env, events, level));
    ASSERT_TRUE(part.ok()) << part.status().ToString();
    ASSERT_TRUE((*part)->Check().ok());
    std::vector<Event> back;
    for (size_t b = 0; b < (*part)->blocks().size(); ++b) {
      ASSERT_TRUE((*part)->ReadBlock(b, &back).ok());
      BlockReader block;
      ASSERT_TRUE(block.Load(**part, b).ok());
      auto templated = block.Templated("_msg");
      ASSERT_TRUE(templated.ok());
      // Only the merges that keep their parts template (the flush stays cheap).
      EXPECT_EQ(*templated != nullptr, level >= sawlog::part::kTemplateZstdLevel);
      auto id = block.Templated("id");
      ASSERT_TRUE(id.ok());
      EXPECT_EQ(*id, nullptr);
      // Decoding after the templates were opened rebuilds from them.
      ASSERT_TRUE(block.Decode(nullptr).ok());
      for (size_t r = 0; r < block.rows(); ++r) EXPECT_EQ(block.Find(r, "_msg"), back[back.size() - block.rows() + r].msg);
    }
    ASSERT_EQ(back.size(), events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(back[i].msg, events[i].msg);
      EXPECT_EQ(back[i].fields, events[i].fields);
    }
  }
}

TEST(BloomCache, PartsSearchedLeastRecentlyGiveUpTheirFilters) {
  auto filters = [](size_t bytes, char c) {
    return [=]() -> Result<PartBlooms> {
      PartBlooms b;
      b.Add(std::string(bytes, c));
      return b;
    };
  };
  const size_t overhead = PartBlooms().bytes() + sizeof(size_t);  // one slot's bookkeeping
  BloomCache cache(250 + 2 * overhead);
  CachedBlooms a(&cache), b(&cache), c(&cache);
  ASSERT_EQ(a.Pin(filters(100, 'a')).value()->Get(0), std::string(100, 'a'));
  ASSERT_EQ(b.Pin(filters(100, 'b')).value()->Get(0), std::string(100, 'b'));
  // Kept: a second pin does not load again.
  EXPECT_EQ(a.Pin(filters(100, 'x')).value()->Get(0), std::string(100, 'a'));
  EXPECT_EQ(cache.bytes(), 200 + 2 * overhead);
  // c does not fit beside both: b, searched least recently, gives its filters up.
  auto pinned_b = b.Pin(filters(100, 'x')).value();  // now b is the most recent...
  EXPECT_EQ(a.Pin(filters(100, 'x')).value()->Get(0), std::string(100, 'a'));  // ...and now a
  ASSERT_NE(c.Pin(filters(100, 'c')).value(), nullptr);
  EXPECT_EQ(pinned_b->Get(0), std::string(100, 'b'));  // a search holding them keeps its copy
  EXPECT_EQ(b.Pin(filters(100, 'B')).value()->Get(0), std::string(100, 'B'));  // reloaded, a out
  EXPECT_EQ(a.Pin(filters(100, 'A')).value()->Get(0), std::string(100, 'A'));
  // Filters bigger than the whole budget are never kept.
  CachedBlooms big(&cache);
  EXPECT_EQ(big.Pin(filters(1000, 'g')).value(), nullptr);
  // Without a cache nothing is loaded.
  CachedBlooms none(nullptr);
  EXPECT_EQ(none.Pin(filters(1, 'n')).value(), nullptr);
  // A load that fails is reported.
  CachedBlooms broken(&cache);
  EXPECT_FALSE(broken.Pin([]() -> Result<PartBlooms> { return Status::Corruption("bad"); }).ok());
}

}  // namespace
}  // namespace sawlog
