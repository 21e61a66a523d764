#include "grpc/settings.hpp"

#include <gtest/gtest.h>

#include <map>

namespace loadhost::grpc_plugin {
namespace {

struct Options {
  std::map<std::string, std::string, std::less<>> values;
  OptionLookup lookup() const {
    return [this](std::string_view name) -> std::optional<std::string_view> {
      auto it = values.find(name);
      if (it == values.end()) return std::nullopt;
      return std::string_view(it->second);
    };
  }
};

Settings parse(std::string_view url, const Options& options = {}) {
  Settings s;
  std::string error;
  EXPECT_TRUE(parse_settings(url, options.lookup(), s, error)) << url << ": " << error;
  return s;
}

std::string parse_error(std::string_view url, const Options& options = {}) {
  Settings s;
  std::string error;
  EXPECT_FALSE(parse_settings(url, options.lookup(), s, error)) << url;
  return error;
}

TEST(Settings, UrlsGiveTheTargetAndTls) {
  Settings s = parse("grpc://127.0.0.1:50051");
  EXPECT_EQ(s.target, "127.0.0.1:50051");
  EXPECT_FALSE(s.tls);
  s = parse("grpcs://api.example");
  EXPECT_EQ(s.target, "api.example:443");
  EXPECT_TRUE(s.tls);
  EXPECT_TRUE(s.tls_verify);
  EXPECT_EQ(parse("grpc://[::1]:8443/").target, "[::1]:8443");
  EXPECT_EQ(parse("grpc://localhost").target, "localhost:80");
}

TEST(Settings, BadUrlsNameTheInput) {
  EXPECT_NE(parse_error("http://x:1").find("'http://x:1' is not a grpc:// or grpcs:// URL"), std::string::npos);
  EXPECT_NE(parse_error("").find("no server to call"), std::string::npos);
  EXPECT_EQ(parse_error("grpc://h:99999"), "'grpc://h:99999' is not a grpc:// or grpcs:// URL: invalid port (1-65535)");
  EXPECT_NE(parse_error("grpc://h:1/pkg.S/M").find("has no path"), std::string::npos);
  EXPECT_NE(parse_error("grpc://:1").find("missing host"), std::string::npos);
  EXPECT_NE(parse_error("grpc://u:p@h:1").find("credentials in the URL"), std::string::npos);
}

TEST(Settings, DefaultsWithoutOptions) {
  Settings s = parse("grpc://h:1");
  EXPECT_TRUE(s.proto_files.empty());
  EXPECT_EQ(s.channel, ChannelMode::per_user);
  EXPECT_EQ(s.channels, 1u);
  EXPECT_EQ(s.deadline_us, 0u);
}

TEST(Settings, OptionsAreRead) {
  Options o;
  o.values = {{"proto", "a.proto\nb.proto"}, {"import-path", "inc1,inc2"}, {"channel", "shared"},
              {"channels", "4"},           {"deadline", "250ms"},         {"insecure", "1"},
              {"root-certs", "ca.pem"},    {"tls-server-name", "api.example"}};
  Settings s = parse("grpcs://h:1", o);
  EXPECT_EQ(s.proto_files, (std::vector<std::string>{"a.proto", "b.proto"}));
  EXPECT_EQ(s.import_paths, (std::vector<std::string>{"inc1", "inc2"}));
  EXPECT_EQ(s.channel, ChannelMode::shared);
  EXPECT_EQ(s.channels, 4u);
  EXPECT_EQ(s.deadline_us, 250'000u);
  EXPECT_FALSE(s.tls_verify);
  EXPECT_EQ(s.root_certs_file, "ca.pem");
  EXPECT_EQ(s.tls_server_name, "api.example");
}

TEST(Settings, BadOptionValuesNameTheValue) {
  Options o;
  o.values = {{"channel", "pooled"}};
  EXPECT_EQ(parse_error("grpc://h:1", o), "option 'channel': 'pooled' is not per-user or shared");
  o.values = {{"channels", "0"}};
  EXPECT_EQ(parse_error("grpc://h:1", o), "option 'channels': '0' is not a number from 1 to 1024");
  o.values = {{"deadline", "soon"}};
  EXPECT_EQ(parse_error("grpc://h:1", o),
            "option 'deadline': 'soon' is not a duration like 500ms or 2s (units: us, ms, s, m, h, d)");
  o.values = {{"insecure", "perhaps"}};
  EXPECT_NE(parse_error("grpc://h:1", o).find("option 'insecure': 'perhaps' is not a boolean"), std::string::npos);
}

// The kit's words (loadhost/kit/option_reader.hpp): durations as -t reads
// them, booleans from the one documented set.
TEST(Settings, OptionWordsAreTheKits) {
  Options o;
  o.values = {{"deadline", "1m30s"}, {"insecure", "YES"}, {"proto", " a.proto ,b.proto\n\nc.proto,"}};
  Settings s = parse("grpcs://h", o);
  EXPECT_EQ(s.deadline_us, 90'000'000u);
  EXPECT_FALSE(s.tls_verify);
  EXPECT_EQ(s.proto_files, (std::vector<std::string>{"a.proto", "b.proto", "c.proto"}));
  o.values = {{"deadline", "0"}};
  EXPECT_NE(parse_error("grpc://h:1", o).find("'0' is not a duration"), std::string::npos);  // no deadline of 0
  o.values = {{"insecure", "off"}};
  EXPECT_TRUE(parse("grpcs://h", o).tls_verify);
}

}  // namespace
}  // namespace loadhost::grpc_plugin
