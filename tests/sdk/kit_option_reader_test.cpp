// The kit's option reader and duration words (sdk/include/loadhost/kit/
// option_reader.hpp, duration.hpp): one set of words and one error format.
#include <gtest/gtest.h>

#include <loadhost/kit/option_reader.hpp>

#include <functional>
#include <map>

namespace loadhost::kit {
namespace {

TEST(KitBool, ExactlyTheDocumentedWordsInAnyCase) {
  for (const char *yes : {"1", "true", "TRUE", "Yes", "on", "ON", " true "}) EXPECT_EQ(parse_bool(yes), true) << yes;
  for (const char *no : {"0", "false", "False", "no", "OFF"}) EXPECT_EQ(parse_bool(no), false) << no;
  for (const char *bad : {"", "2", "y", "n", "enable", "truee", "-1"}) EXPECT_FALSE(parse_bool(bad)) << bad;
}

TEST(KitDuration, UnitsAsTheHostsMinusT) {
  EXPECT_EQ(parse_duration_us("250ms"), 250'000u);
  EXPECT_EQ(parse_duration_us("2s"), 2'000'000u);
  EXPECT_EQ(parse_duration_us("2"), 2'000'000u);  // plain number = seconds
  EXPECT_EQ(parse_duration_us("1.5s"), 1'500'000u);
  EXPECT_EQ(parse_duration_us("100us"), 100u);
  EXPECT_EQ(parse_duration_us("1m30s"), 90'000'000u);
  EXPECT_EQ(parse_duration_us("1h"), 3'600'000'000u);
  EXPECT_EQ(parse_duration_us("1d"), 86'400'000'000u);
  EXPECT_EQ(parse_duration_us(" 0 "), 0u);
}

TEST(KitDuration, RejectsWhatIsNotADuration) {
  for (const char *bad : {"", "s", "ms", "1.2.3s", "10 5", "5 s", "-1s", "1x", "1ns", "abc", "1e3", "400d"})
    EXPECT_FALSE(parse_duration_us(bad)) << bad;
}

TEST(KitSize, BinaryAndDecimalUnits) {
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("512B"), 512u);
  EXPECT_EQ(parse_size("64KiB"), 64u * 1024);
  EXPECT_EQ(parse_size("1mib"), 1u << 20);
  EXPECT_EQ(parse_size("1GiB"), 1u << 30);
  EXPECT_EQ(parse_size("64kB"), 64'000u);
  EXPECT_EQ(parse_size("2MB"), 2'000'000u);
  for (const char *bad : {"", "KiB", "1.5MiB", "-1", "12 parsecs", "99999999999GiB"}) EXPECT_FALSE(parse_size(bad)) << bad;
}

TEST(KitNumber, TheWholeTextIsTheNumber) {
  EXPECT_EQ(parse_number<int>("42"), 42);
  EXPECT_EQ(parse_number<int>("-3"), -3);
  EXPECT_FALSE(parse_number<unsigned>("-3"));
  EXPECT_FALSE(parse_number<int>("+3"));
  EXPECT_FALSE(parse_number<int>("3x"));
  EXPECT_FALSE(parse_number<uint16_t>("70000"));
  EXPECT_EQ(parse_number<double>("0.25"), 0.25);
}

TEST(KitOptionReader, OneErrorFormatNamingPluginOptionAndValue) {
  OptionReader r("grpc");
  uint64_t deadline = 7;
  EXPECT_FALSE(r.duration_us("deadline", "soon", deadline));
  EXPECT_EQ(deadline, 7u);  // untouched
  EXPECT_EQ(r.error(), "grpc: option 'deadline': 'soon' is not a duration like 500ms or 2s (units: us, ms, s, m, h, d)");
  bool insecure = false;
  EXPECT_FALSE(r.boolean("insecure", "maybe", insecure));
  // The first error is the one kept.
  EXPECT_EQ(r.error().rfind("grpc: option 'deadline'", 0), 0u);
  EXPECT_FALSE(r.ok());
}

TEST(KitOptionReader, EachTypeReadsAndReportsItsExpectation) {
  bool b = false;
  uint64_t us = 0, bytes = 0;
  uint32_t channels = 0;
  {
    OptionReader r("p");
    EXPECT_TRUE(r.boolean("a", "yes", b) && b);
    EXPECT_TRUE(r.flag("b", "", b) && b);  // a flag without a value
    EXPECT_TRUE(r.flag("b", "off", b) && !b);
    EXPECT_TRUE(r.duration_us("t", "1.5s", us));
    EXPECT_EQ(us, 1'500'000u);
    EXPECT_TRUE(r.size("s", "4KiB", bytes));
    EXPECT_EQ(bytes, 4096u);
    EXPECT_TRUE(r.number("n", "16", channels, 1, 1024));
    EXPECT_EQ(channels, 16u);
    EXPECT_TRUE(r.ok());
  }
  const std::map<std::string, std::function<bool(OptionReader &)>> cases = {
      {"p: option 'a': 'nope' is not a boolean (true/false, 1/0, yes/no, on/off)",
       [&](OptionReader &r) { return r.boolean("a", "nope", b); }},
      {"p: option 't': '0s' is not a duration like 500ms or 2s (units: us, ms, s, m, h, d)",
       [&](OptionReader &r) { return r.duration_us("t", "0s", us); }},
      {"p: option 's': 'lots' is not a size like 512, 64KiB or 1MiB",
       [&](OptionReader &r) { return r.size("s", "lots", bytes); }},
      {"p: option 's': '2KiB' is not a size like 512, 64KiB or 1MiB from 1 to 1024 bytes",
       [&](OptionReader &r) { return r.size("s", "2KiB", bytes, 1, 1024); }},
      {"p: option 'n': '0' is not a number from 1 to 1024",
       [&](OptionReader &r) { return r.number("n", "0", channels, 1, 1024); }},
      {"p: option 'qos': '3' is not 0, 1 or 2",
       [&](OptionReader &r) { return r.number("qos", "3", channels, 0, 2, "0, 1 or 2"); }},
      {"p: option 'mode': 'x' is not per-user or shared",
       [&](OptionReader &r) { return r.fail("mode", "x", "per-user or shared"); }},
  };
  for (const auto &[expected, read] : cases) {
    OptionReader r("p");
    EXPECT_FALSE(read(r)) << expected;
    EXPECT_EQ(r.error(), expected);
  }
}

TEST(KitOptionReader, KeyValueLines) {
  OptionReader r("grpc");
  std::vector<std::pair<std::string, std::string>> kv;
  EXPECT_TRUE(r.key_values("metadata", "authorization: Bearer x\n\n x-id :42", kv));
  ASSERT_EQ(kv.size(), 2u);
  EXPECT_EQ(kv[0], (std::pair<std::string, std::string>{"authorization", "Bearer x"}));
  EXPECT_EQ(kv[1], (std::pair<std::string, std::string>{"x-id", "42"}));
  EXPECT_FALSE(r.key_values("metadata", "ok:1\nno-colon", kv));
  EXPECT_EQ(r.error(), "grpc: option 'metadata': 'no-colon' is not KEY:VALUE");
  EXPECT_EQ(kv.size(), 2u);  // nothing of a bad list is kept
  OptionReader eq("p");
  EXPECT_FALSE(eq.key_values("env", "=x", kv, '='));
  EXPECT_EQ(eq.error(), "p: option 'env': '=x' is not KEY=VALUE");
}

TEST(KitOptionReader, SessionOptionLastValueWinsAndAbsentIsNullopt) {
  const lh_kv options[] = {{{"pool", 4}, {"2", 1}}, {{"insecure", 8}, {"1", 1}}, {{"pool", 4}, {"8", 1}}};
  lh_session_config config{};
  config.size = sizeof config;
  config.options = options;
  config.option_count = 3;
  EXPECT_EQ(session_option(config, "pool"), "8");
  EXPECT_EQ(session_option(config, "insecure"), "1");
  EXPECT_FALSE(session_option(config, "deadline"));
}

}  // namespace
}  // namespace loadhost::kit
