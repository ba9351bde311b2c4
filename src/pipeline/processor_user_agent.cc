// user_agent: browser, operating system and device family from a User-Agent header, by a small
// ordered table of substrings (no regular expressions, no downloaded database). It knows the
// browsers, systems and crawlers that make most traffic; anything else is "Other". For exact
// versions of rare clients use a full ua-parser database outside sawlog.
#include "pipeline/event_fields.h"
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr OptionSpec kOptions[] = {
    {"field", OptionType::kString, false, "user_agent.original", "the field holding the User-Agent text"},
    {"target", OptionType::kString, false, "user_agent", "put before the added fields' names"},
};

// A rule matches when `needle` occurs in the text; the version is the run of digits, dots and
// underscores (as '.') right after `version_after` (empty: no version), unless `version` is fixed.
struct Rule {
  std::string_view needle;
  std::string_view name;
  std::string_view version_after = {};
  std::string_view version = {};
};

// First match wins, so the more specific come first: Edge and Opera say "Chrome", Chrome says
// "Safari", and crawlers say anything.
constexpr Rule kBots[] = {
    {"Googlebot", "Googlebot", "Googlebot/"}, {"bingbot", "Bingbot", "bingbot/"},
    {"YandexBot", "YandexBot", "YandexBot/"}, {"Baiduspider", "Baiduspider", "Baiduspider/"},
    {"DuckDuckBot", "DuckDuckBot", "DuckDuckBot/"}, {"facebookexternalhit", "FacebookBot", "facebookexternalhit/"},
    {"Twitterbot", "Twitterbot", "Twitterbot/"}, {"Slackbot", "Slackbot", "Slackbot "},
    {"AhrefsBot", "AhrefsBot", "AhrefsBot/"}, {"SemrushBot", "SemrushBot", "SemrushBot/"},
    {"bot", "Other bot"}, {"Bot", "Other bot"}, {"spider", "Other bot"}, {"Spider", "Other bot"},
    {"crawler", "Other bot"}, {"Crawler", "Other bot"},
};
constexpr Rule kBrowsers[] = {
    {"Edg/", "Edge", "Edg/"}, {"Edge/", "Edge", "Edge/"}, {"OPR/", "Opera", "OPR/"},
    {"Opera", "Opera", "Version/"}, {"SamsungBrowser/", "Samsung Internet", "SamsungBrowser/"},
    {"YaBrowser/", "Yandex Browser", "YaBrowser/"}, {"FxiOS/", "Firefox iOS", "FxiOS/"},
    {"Firefox/", "Firefox", "Firefox/"}, {"CriOS/", "Chrome Mobile iOS", "CriOS/"},
    {"Chromium/", "Chromium", "Chromium/"}, {"Chrome/", "Chrome", "Chrome/"},
    {"Mobile Safari/", "Mobile Safari", "Version/"}, {"Safari/", "Safari", "Version/"},
    {"MSIE ", "IE", "MSIE "}, {"Trident/", "IE", "rv:"},
    {"curl/", "curl", "curl/"}, {"Wget/", "Wget", "Wget/"}, {"python-requests/", "Python Requests", "python-requests/"},
    {"Go-http-client/", "Go-http-client", "Go-http-client/"}, {"okhttp/", "okhttp", "okhttp/"},
    {"Java/", "Java", "Java/"},
};
constexpr Rule kSystems[] = {
    {"Windows NT 10.0", "Windows", {}, "10"}, {"Windows NT 6.3", "Windows", {}, "8.1"},
    {"Windows NT 6.2", "Windows", {}, "8"}, {"Windows NT 6.1", "Windows", {}, "7"},
    {"Windows NT 6.0", "Windows", {}, "Vista"}, {"Windows NT 5.1", "Windows", {}, "XP"},
    {"Windows Phone", "Windows Phone", "Windows Phone "}, {"Windows", "Windows"},
    {"iPhone OS ", "iOS", "iPhone OS "}, {"CPU OS ", "iOS", "CPU OS "}, {"iPhone", "iOS"}, {"iPad", "iOS"},
    {"Android", "Android", "Android "}, {"CrOS", "Chrome OS"}, {"Mac OS X", "Mac OS X", "Mac OS X "},
    {"Ubuntu", "Ubuntu"}, {"Fedora", "Fedora"}, {"FreeBSD", "FreeBSD"}, {"Linux", "Linux"},
};
constexpr Rule kDevices[] = {
    {"iPad", "iPad"}, {"iPhone", "iPhone"}, {"iPod", "iPod"}, {"Tablet", "Tablet"},
    {"Android", "Android"}, {"Mobile", "Mobile"},
};

const Rule* Find(std::span<const Rule> rules, std::string_view ua) {
  for (const Rule& r : rules)
    if (ua.find(r.needle) != std::string_view::npos) return &r;
  return nullptr;
}

std::string Version(const Rule& r, std::string_view ua) {
  if (!r.version.empty()) return std::string(r.version);
  if (r.version_after.empty()) return {};
  size_t at = ua.find(r.version_after);
  if (at == std::string_view::npos) return {};
  std::string out;
  for (size_t i = at + r.version_after.size(); i < ua.size(); ++i) {
    char c = ua[i];
    if (c >= '0' && c <= '9') out.push_back(c);
    else if (c == '.' || c == '_') out.push_back('.');
    else break;
  }
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

class UserAgentProcessor final : public Processor {
 public:
  UserAgentProcessor(std::string field, std::string target) : field_(std::move(field)), target_(std::move(target)) {}

  void Process(std::span<Record* const> records, const ProcessContext&) override {
    for (Record* r : records) {
      const std::string* text = GetField(r->event, field_);
      if (text == nullptr || text->empty() || *text == "-") continue;
      const std::string ua = *text;  // SetField may move the field's storage
      const Rule* bot = Find(kBots, ua);
      const Rule* browser = bot ? bot : Find(kBrowsers, ua);
      Set(r, "name", browser ? std::string(browser->name) : "Other");
      if (browser) Set(r, "version", Version(*browser, ua));
      if (const Rule* os = Find(kSystems, ua)) {
        Set(r, "os.name", std::string(os->name));
        Set(r, "os.version", Version(*os, ua));
      }
      const Rule* device = bot ? nullptr : Find(kDevices, ua);
      Set(r, "device.name", bot ? "Spider" : device ? std::string(device->name) : "Other");
    }
  }

 private:
  void Set(Record* r, std::string_view name, std::string value) const {
    if (!value.empty()) SetField(&r->event, target_ + "." + std::string(name), std::move(value));
  }

  const std::string field_;
  const std::string target_;
};

Result<std::unique_ptr<Processor>> Make(const Options& o) {
  if (o.String("target").empty()) return o.Error("target", "empty prefix");
  return std::unique_ptr<Processor>(std::make_unique<UserAgentProcessor>(o.String("field"), o.String("target")));
}

}  // namespace

const ProcessorType kUserAgentType{"user_agent", "browser, OS and device family from a User-Agent header",
                                   kOptions, Make};

}  // namespace sawlog::pipeline
