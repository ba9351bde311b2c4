// Runs the data-driven query tests in tests/data/query/*.test (format: tests/data/query/README.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "core/log.h"
#include "core/timestamp.h"
#include "core/tokenizer.h"
#include "parse/parse.h"
#include "query/patterns.h"
#include "query/query.h"
#include "query/template_search.h"
#include "query/token_search.h"
#include "store/templated.h"
#include "testing/mem_env.h"

namespace sawlog::query {
namespace {

constexpr int64_t kNow = 1'700'000'000 * kNanosPerSecond;

struct Case {
  std::string file;
  size_t line = 0;
  std::string query;
  bool expect_error = false;
  bool rows = false;     // expected holds whole rows, as JSON, one per line
  std::string expected;  // space-separated event ids, newest first; or the error's start
};

struct TestFile {
  std::vector<Event> events;
  std::vector<Case> cases;
};

TestFile Load(const std::filesystem::path& path) {
  TestFile tf;
  std::ifstream in(path);
  std::string line;
  size_t n = 0;
  JsonParser parser;
  Case pending;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    auto take = [&](std::string_view prefix) {
      if (!line.starts_with(prefix)) return false;
      line.erase(0, prefix.size());
      return true;
    };
    if (take("event ")) {
      std::vector<Field> fields;
      Status st = parser.ParseObject(line, 0, &fields);
      EXPECT_TRUE(st.ok()) << path << ":" << n << ": " << st.ToString();
      Event e;
      e.time = e.ingest_time = kNow - static_cast<int64_t>(1000 - tf.events.size()) * kNanosPerSecond;
      std::vector<std::pair<std::string, std::string>> labels;
      for (auto& f : fields) {
        if (f.name == "_msg") e.msg = f.value;
        else if (f.name == "_time") e.time = ParseTimestamp(f.value).value();
        else if (f.name.starts_with("_stream.")) labels.emplace_back(f.name.substr(8), f.value);
        else e.fields.push_back(f);
      }
      e.stream = CanonicalStream(std::move(labels));
      tf.events.push_back(std::move(e));
    } else if (take("query ")) {
      if (pending.rows) tf.cases.push_back(pending);
      pending = Case{path.filename().string(), n, line, false, false, ""};
    } else if (take("expect-row ")) {
      pending.expected += (pending.rows ? "\n" : "") + line;
      pending.rows = true;
    } else if (take("expect-error ")) {
      pending.expect_error = true;
      pending.expected = line;
      tf.cases.push_back(pending);
    } else if (take("expect")) {
      pending.expected = line.empty() ? "" : line.substr(1);
      tf.cases.push_back(pending);
    } else {
      ADD_FAILURE() << path << ":" << n << ": unknown line '" << line << "'";
    }
  }
  if (pending.rows) tf.cases.push_back(pending);
  return tf;
}

Result<std::unique_ptr<Store>> OpenTestStore(Env* env, bool always_template = false) {
  StoreOptions o;
  o.dir = "/q";
  o.env = env;
  o.background_flush = false;
  o.always_template = always_template;
  return Store::Open(o);
}

class QueryFiles : public ::testing::TestWithParam<std::string> {};

TEST_P(QueryFiles, Run) {
  SetLogEnabled(false);
  TestFile tf = Load(GetParam());
  ASSERT_FALSE(tf.cases.empty());
  // Each file twice: its part's _msg as the flush stores it, and as templates and variables
  // (which searches answer per template).
  for (bool templated : {false, true}) {
    SCOPED_TRACE(templated ? "templated part" : "flushed part");
    testing::MemEnv env;
    auto store = OpenTestStore(&env, templated);
    ASSERT_TRUE(store.ok());
    // Half the events in a part, half in the head: queries must see both alike.
    std::vector<Event> first(tf.events.begin(), tf.events.begin() + tf.events.size() / 2);
    std::vector<Event> second(tf.events.begin() + tf.events.size() / 2, tf.events.end());
    ASSERT_TRUE((*store)->Append("default", first).ok());
    ASSERT_TRUE((*store)->Flush().ok());
    ASSERT_TRUE((*store)->Append("default", second).ok());
    for (const auto& c : tf.cases) {
      QueryRequest req;
      req.text = c.query;
      req.now_ns = kNow;
      auto result = RunQuery(store->get(), req);
      SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + ": " + c.query);
      if (c.expect_error) {
        ASSERT_FALSE(result.ok()) << "expected an error";
        EXPECT_EQ(result.status().code(), Code::kInvalidArgument);
        EXPECT_TRUE(result.status().message().starts_with(c.expected)) << result.status().message();
        continue;
      }
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      std::string got;
      if (c.rows) {
        for (const auto& row : *result) {
          if (!got.empty()) got += "\n";
          row.AppendJson(&got);
        }
        EXPECT_EQ(got, c.expected);
        continue;
      }
      for (const auto& row : *result) {
        const std::string* id = row.Find("id");
        got += (got.empty() ? "" : " ") + (id ? *id : "(no id)");
      }
      EXPECT_EQ(got, c.expected);
    }
  }
}

std::vector<std::string> TestFiles() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(SAWLOG_TEST_DATA "/query"))
    if (entry.path().extension() == ".test") out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Data, QueryFiles, ::testing::ValuesIn(TestFiles()),
                         [](const auto& info) { return std::filesystem::path(info.param).stem().string(); });

// A stored row with its stream and _msg (nullopt: the row has none).
class BlockRow final : public RowView {
 public:
  explicit BlockRow(std::optional<std::string_view> msg) : msg_(msg) {}
  int64_t time() const override { return kNow; }
  std::optional<std::string_view> Find(std::string_view name) const override {
    if (name == "_stream") return "{app=\"x\"}";
    return name == "_msg" ? msg_ : std::nullopt;
  }
  void ForEachField(const std::function<void(std::string_view, std::string_view)>& fn) const override {
    fn("_stream", *Find("_stream"));
    if (msg_) fn("_msg", *msg_);
  }

 private:
  std::optional<std::string_view> msg_;
};

// Differential: the per-template answer of TemplateSearch against the matcher on every rebuilt
// value, over random messages (words, words with digits, mixed case, UTF-8, separators) and
// random words and phrases drawn from the same pieces.
TEST(TemplateSearch, AnswersAsTheMatcherOnEveryValue) {
  std::mt19937 rng(20240601);
  const std::vector<std::string> pieces = {"block", "Block", "BLOCK", "blk_1", "blk_12", "BLK_1", "x9", "9x", "0",
                                           "42",    "1",     "café",  "café2", "É1",    "size",   "of",     "a",   "_",  "__1"};
  const std::vector<std::string> seps = {" ", "  ", "/", ".", ":", "-", ", ", "[", "]", "\t", "é."};
  auto piece = [&] { return pieces[rng() % pieces.size()]; };
  size_t decided_by_template = 0, decided_by_variables = 0, compound = 0, undecided = 0;
  for (int round = 0; round < 40; ++round) {
    std::vector<std::string> texts;
    const size_t rows = 1 + rng() % 200;
    for (size_t r = 0; r < rows; ++r) {
      std::string m;
      if (rng() % 2) m += seps[rng() % seps.size()];
      for (size_t n = rng() % 7; n > 0; --n) {
        m += piece();
        if (n > 1 || rng() % 2) m += seps[rng() % seps.size()];
      }
      texts.push_back(m);
    }
    std::vector<std::optional<std::string_view>> values;
    for (size_t r = 0; r < rows; ++r) values.push_back(rng() % 10 ? std::optional<std::string_view>(texts[r]) : std::nullopt);
    const std::string chunk = *EncodeTemplatedColumn(values, 1, true);
    TemplatedColumn column;
    ASSERT_TRUE(column.Open(chunk, rows).ok());
    // A word, or a phrase of up to three pieces.
    auto leaf = [&] {
      std::string text;
      const size_t words = 1 + rng() % 3;
      for (size_t w = 0; w < words; ++w) text += (w ? " " : "") + piece();
      if (words > 1 || rng() % 2) text = "\"" + text + "\"";
      return text;
    };
    for (int q = 0; q < 60; ++q) {
      // Half alone, half joined with AND, OR, NOT, `-`, parentheses and a stream selector.
      std::string text = leaf();
      switch (q % 2 ? rng() % 6 : 6) {
        case 0: text += " " + leaf(); break;
        case 1: text += " OR " + leaf(); break;
        case 2: text = "NOT " + text; break;
        case 3: text = "-" + text + " " + leaf(); break;
        case 4: text = "(" + text + " OR " + leaf() + ") AND NOT " + leaf(); break;
        case 5: text = "_stream:{app=\"x\"} " + text + " OR " + leaf(); break;
      }
      auto parsed = ParseQuery(text, kNow);
      ASSERT_TRUE(parsed.ok()) << text;
      auto search = TemplateSearch::For(parsed->filter.get());
      if (!search) {
        ++undecided;
        continue;
      }
      std::vector<uint8_t> match;
      auto decided = search->Match(column, &match);
      ASSERT_TRUE(decided.ok());
      ASSERT_TRUE(*decided);
      Matcher matcher(parsed->filter.get());
      const bool digits = text.find_first_of("0123456789") != std::string::npos;
      ++(digits ? decided_by_variables : decided_by_template);
      compound += parsed->filter->children.size() > 0;
      for (size_t r = 0; r < rows; ++r) {
        // A row of the block: its stream (which the scan selects by before templates are asked)
        // and _msg, absent in some rows.
        const bool want = matcher.Matches(BlockRow(values[r]));
        EXPECT_EQ(match[r] != 0, want) << "query " << text << " on '" << values[r].value_or("<absent>") << "'";
      }
    }
  }
  // Both ways of deciding were tested, alone and joined, and some queries were left to the rows.
  EXPECT_GT(decided_by_template, 100u);
  EXPECT_GT(decided_by_variables, 100u);
  EXPECT_GT(compound, 150u);
  EXPECT_GT(undecided, 10u);
}

TEST(QueryParser, ErrorsNameTheColumn) {
  auto r = ParseQuery("status:200 AND (host:web1", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "line 1, column 26: expected ')' to close '(' at line 1, column 16");
  // On the second line of a query, and inside a pipe.
  r = ParseQuery("error\n  | stats by (host count()", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "line 2, column 20: expected ')' after 'by (host', found 'count'");
}

// Regression: the matcher remembered a stream selector's last answer by the selector's address,
// so a later query whose selector came to lie at the same address answered with the old result.
TEST(QueryMatcher, StreamSelectorsOfSuccessiveQueriesAnswerForThemselves) {
  Event e;
  e.stream = "{service.name=\"a\"}";
  for (int i = 0; i < 4; ++i) {
    const std::string want = i % 2 == 0 ? "a" : "b";
    auto q = ParseQuery("_stream:{service.name=\"" + want + "\"}", kNow);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    EXPECT_EQ(Matcher(q->filter.get()).Matches(e), want == "a") << i;
  }
}

TEST(QueryParser, Precedence) {
  EXPECT_EQ(ParseQuery("a b OR c", kNow).value().ToString(), "((word(_msg:a) AND word(_msg:b)) OR word(_msg:c))");
  EXPECT_EQ(ParseQuery("a AND NOT b", kNow).value().ToString(), "(word(_msg:a) AND NOT word(_msg:b))");
  EXPECT_EQ(ParseQuery("-a (b or c)", kNow).value().ToString(), "(NOT word(_msg:a) AND (word(_msg:b) OR word(_msg:c)))");
  EXPECT_EQ(ParseQuery("10.0.0.1", kNow).value().ToString(), "phrase(_msg:10 0 0 1)");
  EXPECT_EQ(ParseQuery("host:\"web 1\"", kNow).value().ToString(), "phrase(host:web 1)");
  EXPECT_EQ(ParseQuery("err*", kNow).value().ToString(), "prefix(_msg:err)");
  EXPECT_EQ(ParseQuery("", kNow).value().ToString(), "*");
}

TEST(QueryLimits, RefusesBadLimitAndRange) {
  testing::MemEnv env;
  auto store = OpenTestStore(&env);
  ASSERT_TRUE(store.ok());
  QueryRequest req;
  req.limit = 0;
  EXPECT_EQ(RunQuery(store->get(), req).status().code(), Code::kInvalidArgument);
  req.limit = kMaxQueryLimit + 1;
  EXPECT_EQ(RunQuery(store->get(), req).status().code(), Code::kInvalidArgument);
  req.limit = 10;
  req.start = 10;
  req.end = 10;
  EXPECT_EQ(RunQuery(store->get(), req).status().code(), Code::kInvalidArgument);
}

TEST(QueryLimits, ResultsOverTheMemoryCapFailTheQuery) {
  SetLogEnabled(false);
  testing::MemEnv env;
  auto store = OpenTestStore(&env);
  ASSERT_TRUE(store.ok());
  std::vector<Event> events(2000);
  for (size_t i = 0; i < events.size(); ++i) {
    events[i].time = events[i].ingest_time = kNow - static_cast<int64_t>(i) * kNanosPerSecond;
    events[i].msg = std::string(1000, 'x') + " line " + std::to_string(i);
  }
  ASSERT_TRUE((*store)->Append("default", events).ok());
  ASSERT_TRUE((*store)->Flush().ok());
  QueryRequest req;
  req.text = "line";
  req.limit = 2000;
  req.max_memory_bytes = 1 << 20;  // the 2000 results need about 2 MiB
  auto result = RunQuery(store->get(), req);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kResourceExhausted);
  EXPECT_NE(result.status().message().find("--max-query-memory"), std::string::npos);
  req.timeout_ns = 1;  // over before the first block is read
  result = RunQuery(store->get(), req);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kDeadlineExceeded);
  req.timeout_ns = 0;
  req.limit = 500;  // about 0.5 MiB: fits
  result = RunQuery(store->get(), req);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->size(), 500u);
}

// Stats over whole stored blocks read columns (dictionary codes, integers, strings) instead of
// rows; a filter that matches every row forces the row path. Both must give the same rows.
TEST(StatsFold, WholeBlocksByColumnsAgreeWithRowByRow) {
  SetLogEnabled(false);
  testing::MemEnv env;
  auto store = OpenTestStore(&env);
  ASSERT_TRUE(store.ok());
  std::mt19937 rng(7);
  const char* levels[] = {"info", "warn", "error", "debug"};
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<Event> events(3000);
    for (size_t i = 0; i < events.size(); ++i) {
      Event& e = events[i];
      e.time = e.ingest_time = kNow - static_cast<int64_t>(rng() % 7200) * kNanosPerSecond - static_cast<int64_t>(i);
      e.stream = CanonicalStream({{"service", batch == 1 ? "api" : "web"}});
      e.msg = "request " + std::to_string(i);
      e.fields.push_back({"status", std::to_string(200 + 100 * (rng() % 4))});       // an integer column
      e.fields.push_back({"level", levels[rng() % (batch == 2 ? 1 : 4)]});            // dictionary or const
      e.fields.push_back({"path", "/p/" + std::to_string(rng() % 1500)});              // strings
      if (rng() % 5) e.fields.push_back({"bytes", std::to_string(rng() % 100000)});    // integers, some absent
      if (batch == 1 && i % 7 == 0) e.fields.push_back({"dur", i % 2 ? "0.25" : "slow"});  // numbers and text
    }
    ASSERT_TRUE((*store)->Append("default", events).ok());
    ASSERT_TRUE((*store)->Flush().ok());
  }
  const char* pipes[] = {
      "stats by (status) count()",
      "stats by (level, status) count(), count(bytes)",
      "stats by (_time:10m) count(), sum(bytes)",
      "stats by (_time:1m, level) count()",
      "stats by (_time:1m) count()",
      "stats by (_time:5m) count() as n, count(bytes), count()",
      "stats by (path) count() | sort by (path) | limit 50",
      "top 10 by (path)",
      "top 3 by (level)",
      "stats quantile(0.99, bytes), median(bytes), avg(bytes), min(bytes), max(bytes), sum(bytes)",
      "stats by (level) min(dur), max(dur), avg(dur), count(dur), rate()",
      "stats by (_stream, status) count()",
      "stats by (nosuch) count(), sum(nosuch)",
      "stats by (bytes) count() | sort by (bytes) | limit 20",
  };
  for (const char* pipe : pipes) {
    SCOPED_TRACE(pipe);
    QueryRequest whole, rows;
    whole.text = std::string("* | ") + pipe;
    rows.text = std::string("-nosuchword | ") + pipe;
    whole.now_ns = rows.now_ns = kNow;
    auto a = RunQuery(store->get(), whole);
    auto b = RunQuery(store->get(), rows);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    auto json = [](const std::vector<Row>& rs) {
      std::string out;
      for (const auto& r : rs) {
        r.AppendJson(&out);
        out += "\n";
      }
      return out;
    };
    EXPECT_FALSE(a->empty());
    EXPECT_EQ(json(*a), json(*b));
  }
}

// Many groups over many blocks (so the scan runs on several threads when there are cores, and
// the threads' groups are merged): every count must be the one counted here.
TEST(StatsFold, ManyGroupsAcrossBlocksCountEveryRow) {
  SetLogEnabled(false);
  testing::MemEnv env;
  auto store = OpenTestStore(&env);
  ASSERT_TRUE(store.ok());
  std::mt19937 rng(11);
  std::map<std::string, uint64_t> by_path;
  std::map<int64_t, uint64_t> by_minute;
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<Event> events(600);
    for (size_t i = 0; i < events.size(); ++i) {
      Event& e = events[i];
      e.time = e.ingest_time = kNow - static_cast<int64_t>(rng() % 36000) * kNanosPerSecond / 10;
      e.stream = CanonicalStream({{"service", "web"}});
      e.msg = "request";
      // Skewed: a few paths in most blocks, most paths in one block or two; every other block
      // mostly distinct (grouped by looking each row up directly, ReadKeyColumn).
      const uint32_t x = rng() % 4000, shared = batch % 2 ? 2000 : 400;
      const std::string path = "/p/" + std::to_string(x < shared ? x % 20 : x);
      e.fields.push_back({"path", path});
      ++by_path[path];
      ++by_minute[e.time / (60 * kNanosPerSecond)];
    }
    ASSERT_TRUE((*store)->Append("default", events).ok());
    ASSERT_TRUE((*store)->Flush().ok());
  }
  QueryRequest req;
  req.now_ns = kNow;
  req.limit = 100000;
  req.text = "* | stats by (path) count() as n";
  auto paths = RunQuery(store->get(), req);
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  std::map<std::string, uint64_t> got;
  for (const auto& r : *paths) got[std::string(*r.Find("path"))] = std::stoull(std::string(*r.Find("n")));
  EXPECT_EQ(got, by_path);
  req.text = "* | stats by (_time:1m) count() as n";
  auto minutes = RunQuery(store->get(), req);
  ASSERT_TRUE(minutes.ok()) << minutes.status().ToString();
  uint64_t total = 0;
  for (const auto& r : *minutes) total += std::stoull(std::string(*r.Find("n")));
  EXPECT_EQ(minutes->size(), by_minute.size());
  EXPECT_EQ(total, 20u * 600u);
}

// A stream selector prunes blocks by the parts' stream index, before any is read.
TEST(StreamIndex, SelectorPrunesBlocksBeforeReadingThem) {
  SetLogEnabled(false);
  testing::MemEnv env;
  auto store = OpenTestStore(&env);
  ASSERT_TRUE(store.ok());
  std::vector<Event> events;
  for (int i = 0; i < 300; ++i) {
    Event e;
    e.time = e.ingest_time = kNow - (300 - i) * kNanosPerSecond;
    e.stream = CanonicalStream({{"service", i % 3 == 0 ? "api" : i % 3 == 1 ? "db" : "web"}});
    e.msg = "request " + std::to_string(i) + " done";
    events.push_back(std::move(e));
  }
  ASSERT_TRUE((*store)->Append("default", events).ok());
  ASSERT_TRUE((*store)->Flush().ok());
  QueryRequest req;
  req.text = "_stream:{service=~\"api|web\"} done";
  req.now_ns = kNow;
  req.limit = 1000;
  QueryStats stats;
  auto result = RunQuery(store->get(), req, &stats);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->size(), 200u);
  EXPECT_EQ(stats.scan.blocks, 3u);  // one block per stream
  EXPECT_EQ(stats.scan.blocks_pruned, 1u);
  EXPECT_EQ(stats.scan.rows_scanned, 200u);
  req.text = "_stream:{service=\"none\"}";
  stats = {};
  result = RunQuery(store->get(), req, &stats);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->empty());
  EXPECT_EQ(stats.scan.blocks_pruned, 3u);
  EXPECT_EQ(stats.scan.rows_scanned, 0u);
}

// The large merges' parts keep neighbouring word pairs in _msg's filters: a phrase rules out a
// block that holds its words only in different messages, and still finds the ones it is in.
TEST(PhrasePairs, PhraseRulesOutBlocksWithItsWordsApart) {
  SetLogEnabled(false);
  for (bool pairs : {false, true}) {
    SCOPED_TRACE(pairs ? "parts with pairs" : "parts without pairs");
    testing::MemEnv env;
    auto store = OpenTestStore(&env, /*always_template=*/pairs);
    ASSERT_TRUE(store.ok());
    std::vector<Event> events;
    for (int i = 0; i < 300; ++i) {
      Event e;
      e.time = e.ingest_time = kNow - (300 - i) * kNanosPerSecond;
      const int s = i % 3;
      e.stream = CanonicalStream({{"service", s == 0 ? "apart" : s == 1 ? "together" : "digits"}});
      e.msg = s == 0   ? (i % 2 ? "Received a packet" : "Cache block " + std::to_string(i) + " freed")
              : s == 1 ? "Received block blk_" + std::to_string(i) + " of size 64"
                       : "Received 7 block " + std::to_string(i);
      events.push_back(std::move(e));
    }
    ASSERT_TRUE((*store)->Append("default", events).ok());
    ASSERT_TRUE((*store)->Flush().ok());
    QueryRequest req;
    req.now_ns = kNow;
    req.limit = 1000;
    req.text = "\"received block\"";
    QueryStats stats;
    auto result = RunQuery(store->get(), req, &stats);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->size(), 100u);
    EXPECT_EQ(stats.scan.blocks, 3u);  // one block per stream
    // "apart" has both words, never side by side; "digits" has a number between them.
    EXPECT_EQ(stats.scan.blocks_pruned, pairs ? 2u : 0u);
    // Pairs hold words without digits only: a phrase with a number is not pruned by them.
    req.text = "\"received 7 block\"";
    stats = {};
    result = RunQuery(store->get(), req, &stats);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->size(), 100u);
  }
}

}  // namespace
// What data cannot say: the similarity and the template limit (the rules themselves are in
// tests/data/query/patterns.test).
TEST(PatternMiner, PunctuationMustMatchWhateverTheSimilarity) {
  PatternMiner miner(50'000, 0.1);
  size_t comma = miner.Add("a b c, d");
  size_t words = miner.Add("a b c d e");
  EXPECT_NE(comma, words);
  EXPECT_EQ(miner.Add("a b c d x"), words);
  EXPECT_EQ(miner.Template(words), "a b c d <*>");
  EXPECT_EQ(miner.Template(comma), "a b c, d");
}

TEST(PatternMiner, SimilarityCountsTheTemplatesConstantWords) {
  PatternMiner miner;  // 0.75: one word in four may differ
  size_t id = miner.Add("closed by alice at the gate");
  EXPECT_EQ(miner.Add("closed by bob at the gate"), id);  // 4 of 5 constant words
  EXPECT_EQ(miner.Add("closed by carol at the door"), id);  // 3 of 4: <*> no longer counts
  EXPECT_NE(miner.Add("closed by dave in a car"), id);  // 2 of 3
  EXPECT_EQ(miner.Template(id), "closed by <*> at the <*>");
}

TEST(PatternMiner, PastTheLimitAMessageJoinsItsGroupsNearest) {
  PatternMiner miner(1);
  size_t id = miner.Add("a b c, d");
  EXPECT_EQ(miner.Add("a b x y z"), id);
  EXPECT_EQ(miner.size(), 1u);
  EXPECT_EQ(miner.Template(id), "a b <*> <*> <*>");
}

}  // namespace sawlog::query

// The SIMD search must agree with tokenizing the text, at every length and alignment.
TEST(TokenSearch, AgreesWithTheTokenizer) {
  const std::string alphabet = "aAbB_0 .-\xc3\xa9";
  std::mt19937 rng(7);
  for (const std::string token : {"a", "ab", "b_0", "aaaaaaaaaaaaaaaaab", "0a", "\xc3\xa9" "a"}) {
    sawlog::query::TokenSearch search(token);
    for (int round = 0; round < 3000; ++round) {
      std::string text;
      size_t len = rng() % 70;
      for (size_t i = 0; i < len; ++i) text += alphabet[rng() % alphabet.size()];
      if (rng() % 3 == 0) text.insert(rng() % (text.size() + 1), rng() % 2 ? token : "AB");
      bool expected = false;
      sawlog::ForEachToken(text, [&](std::string_view t) { expected = expected || sawlog::TokenEquals(t, token); });
      ASSERT_EQ(search.FoundIn(text), expected) << "token '" << token << "' in '" << text << "'";
    }
  }
}

TEST(TokenSearch, Boundaries) {
  sawlog::query::TokenSearch needle("needle7f3a9c");
  EXPECT_TRUE(needle.FoundIn("NEEDLE7f3a9c"));
  EXPECT_TRUE(needle.FoundIn("a long line of text that goes on, then: Needle7F3A9C."));
  EXPECT_FALSE(needle.FoundIn("a long line of text that goes on, then: xNeedle7F3A9C."));
  EXPECT_FALSE(needle.FoundIn("a long line of text that goes on, then: Needle7F3A9C_"));
  EXPECT_FALSE(needle.FoundIn("needle7f3a9"));
}

// The scan's prefilter finds the token anywhere (rows back to back have no boundaries between
// them), from a given position, past the 16-byte SIMD steps too.
TEST(TokenSearch, FindAnywhereFromAPosition) {
  sawlog::query::TokenSearch beta("tokbeta42");
  const std::string run = "first row xTOKBETA42y" + std::string(40, '.') + "tokbeta42" + "third tokbeta4";
  const size_t first = run.find("TOKBETA42"), second = run.rfind("tokbeta42");
  EXPECT_EQ(beta.Find(run, 0, false), first);
  EXPECT_EQ(beta.Find(run, first + 1, false), second);
  EXPECT_EQ(beta.Find(run, second + 1, false), std::string_view::npos);
  EXPECT_EQ(beta.Find(run, 0, true), std::string_view::npos);  // glued to dots and "third": no whole token
}
