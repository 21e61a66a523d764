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
  EXPECT_NE(parse_error("grpc://h:99999").find("port '99999'"), std::string::npos);
  EXPECT_NE(parse_error("grpc://h:1/pkg.S/M").find("has no path"), std::string::npos);
  EXPECT_NE(parse_error("grpc://:1").find("no host"), std::string::npos);
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
  EXPECT_NE(parse_error("grpc://h:1", o).find("channel 'pooled' is not per-user or shared"), std::string::npos);
  o.values = {{"channels", "0"}};
  EXPECT_NE(parse_error("grpc://h:1", o).find("channels '0'"), std::string::npos);
  o.values = {{"deadline", "soon"}};
  EXPECT_NE(parse_error("grpc://h:1", o).find("deadline 'soon' is not a duration"), std::string::npos);
}

TEST(Settings, Durations) {
  uint64_t us = 0;
  ASSERT_TRUE(parse_duration_us("2s", us));
  EXPECT_EQ(us, 2'000'000u);
  ASSERT_TRUE(parse_duration_us("1.5", us));
  EXPECT_EQ(us, 1'500'000u);
  ASSERT_TRUE(parse_duration_us("100us", us));
  EXPECT_EQ(us, 100u);
  ASSERT_TRUE(parse_duration_us(" 1m ", us));
  EXPECT_EQ(us, 60'000'000u);
  for (const char* bad : {"", "0", "-1s", "5h", "ms", "1 s", "nan"}) EXPECT_FALSE(parse_duration_us(bad, us)) << bad;
}

TEST(Settings, MetadataLines) {
  std::vector<std::pair<std::string, std::string>> md;
  std::string error;
  ASSERT_TRUE(parse_metadata_lines("x-a: 1\nauthorization:Bearer a:b\n\n", md, error)) << error;
  ASSERT_EQ(md.size(), 2u);
  EXPECT_EQ(md[0], (std::pair<std::string, std::string>{"x-a", "1"}));
  EXPECT_EQ(md[1], (std::pair<std::string, std::string>{"authorization", "Bearer a:b"}));
  EXPECT_FALSE(parse_metadata_lines("novalue", md, error));
  EXPECT_NE(error.find("'novalue' is not KEY:VALUE"), std::string::npos);
}

TEST(Settings, Lists) {
  EXPECT_EQ(split_list(" a ,b\n\nc,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_list("").empty());
}

}  // namespace
}  // namespace loadhost::grpc_plugin
