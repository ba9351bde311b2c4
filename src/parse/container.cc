// The log files container runtimes write under /var/log/pods and /var/lib/docker/containers:
//   CRI (containerd, CRI-O):  2016-10-06T00:17:09.669794202Z stdout F the message
//   Docker json-file:         {"log":"the message\n","stream":"stdout","time":"2016-10-06T00:17:09.669794202Z"}
// Both split lines longer than the runtime's buffer (16 KiB for Docker, 16 KiB by default for
// containerd): CRI tags the pieces "P" and the last one "F"; Docker leaves the "\n" off all but
// the last. Such lines come out with ParsedLine::partial; PartialLineJoiner reassembles them.
#include <string>

#include "core/timestamp.h"
#include "parse/parse.h"
#include "parse/parsers.h"

namespace sawlog {

namespace {

class CriParser final : public LineParser {
 public:
  Status Parse(std::string_view line, const ParseContext&, ParsedLine* out) override {
    static constexpr std::string_view kName = "cri";
    out->Clear();
    size_t end = line.find(' ');
    if (end == std::string_view::npos) return LineError(kName, line.size(), "expected a space after the time");
    auto time = ParseRfc3339(line.substr(0, end));
    if (!time.ok()) return LineError(kName, 0, time.status().message());
    out->time = time.value();

    size_t pos = end + 1;
    end = line.find(' ', pos);
    if (end == std::string_view::npos) return LineError(kName, line.size(), "expected a space after the stream");
    std::string_view stream = line.substr(pos, end - pos);
    if (stream != "stdout" && stream != "stderr") return LineError(kName, pos, "expected the stream 'stdout' or 'stderr'");
    out->fields.push_back({"stream", std::string(stream)});

    // The tags: "F" or "P", then possibly more after ':' (none are defined yet).
    pos = end + 1;
    end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    std::string_view tag = line.substr(pos, end - pos);
    std::string_view flag = tag.substr(0, tag.find(':'));
    if (flag != "F" && flag != "P") return LineError(kName, pos, "expected the tag 'F' (full line) or 'P' (partial)");
    out->partial = flag == "P";
    out->msg.emplace(end < line.size() ? line.substr(end + 1) : std::string_view{});
    return Status::Ok();
  }
};

class DockerParser final : public LineParser {
 public:
  Status Parse(std::string_view line, const ParseContext&, ParsedLine* out) override {
    out->Clear();
    fields_.clear();
    Status st = json_.ParseObject(line, 0, &fields_);
    if (!st.ok()) return Status::InvalidArgument("docker: " + st.message());
    bool has_log = false;
    for (auto& f : fields_) {
      if (f.name == "log") {
        has_log = true;
        // Docker ends every complete line with "\n"; a piece of a longer line has none.
        out->partial = !f.value.ends_with('\n');
        if (!out->partial) f.value.pop_back();
        out->msg = std::move(f.value);
      } else if (f.name == "time") {
        auto time = ParseRfc3339(f.value);
        if (!time.ok()) return Status::InvalidArgument("docker: bad \"time\": " + time.status().message());
        out->time = time.value();
      } else {
        out->fields.push_back(std::move(f));  // "stream", and "attrs.*" when the daemon adds labels
      }
    }
    if (!has_log) return Status::InvalidArgument("docker: no \"log\" key");
    return Status::Ok();
  }

 private:
  JsonParser json_;
  std::vector<Field> fields_;
};

}  // namespace

std::unique_ptr<LineParser> MakeCriParser() { return std::make_unique<CriParser>(); }
std::unique_ptr<LineParser> MakeDockerParser() { return std::make_unique<DockerParser>(); }

}  // namespace sawlog
