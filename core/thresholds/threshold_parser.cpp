#include "core/thresholds/threshold_parser.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

namespace loadhost::thresholds {

namespace {

constexpr const char *kMetricList = "p(N), avg, min, max, med, fail_ratio, failures, requests, rps, fail_rps";

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A finite, non-negative number at the start of `text`; the rest is left in
// `suffix`.
std::optional<double> leading_number(std::string_view text, std::string_view &suffix) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || !std::isfinite(value) || value < 0) return std::nullopt;
  suffix = text.substr(size_t(end - text.data()));
  return value;
}

// "300ms", "1.5s", "250us", "2m" -> microseconds.
std::optional<double> duration_us(std::string_view text) {
  std::string_view unit;
  std::optional<double> number = leading_number(text, unit);
  if (!number) return std::nullopt;
  static constexpr std::array<std::pair<std::string_view, double>, 5> kUnits{
      {{"us", 1.0}, {"µs", 1.0}, {"ms", 1e3}, {"s", 1e6}, {"m", 60e6}}};
  for (const auto &[name, scale] : kUnits)
    if (unit == name) return *number * scale;
  return std::nullopt;
}

bool has_duration_unit(std::string_view text) {
  std::string_view unit;
  return leading_number(text, unit) && !unit.empty() && duration_us(text);
}

std::optional<Metric> metric_named(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Metric>, 9> kNames{{
      {"avg", Metric::avg},
      {"min", Metric::min},
      {"max", Metric::max},
      {"med", Metric::med},
      {"fail_ratio", Metric::fail_ratio},
      {"failures", Metric::failures},
      {"requests", Metric::requests},
      {"rps", Metric::rps},
      {"fail_rps", Metric::fail_rps},
  }};
  for (const auto &[n, m] : kNames)
    if (n == name) return m;
  return std::nullopt;
}

// Reads one expression; each step returns false with error_ set.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(trim(text)) {}

  std::optional<Threshold> read() {
    threshold_.expression = std::string(text_);
    if (text_.empty()) return fail("is empty: write METRIC OP VALUE, e.g. p(95)<300ms");
    // Also what an unquoted config-file line split at its spaces leaves
    // ("abort-on-fail", "delay", "10s"), hence the hint.
    if (text_.find_first_of("<>=!") == std::string_view::npos)
      return fail("no comparison (< <= > >= == !=): write METRIC OP VALUE, e.g. p(95)<300ms; in a config file, "
                  "quote an expression that has spaces: threshold = \"GET /cart: p(95)<300ms abort-on-fail\"");
    std::string_view rest = text_;
    if (size_t colon = text_.rfind(':'); colon != std::string_view::npos) {
      std::string_view name = trim(text_.substr(0, colon));
      if (name.empty())
        return fail("nothing before ':': write a stats entry's name there (GET /cart: p(95)<300ms), or leave "
                    "out the ':' for the Aggregated row");
      threshold_.entry_name = std::string(name);
      rest = trim(text_.substr(colon + 1));
    }
    if (!read_metric(rest) || !read_comparison(rest) || !read_value(rest)) return std::nullopt;
    threshold_.criterion = std::string(trim(text_.substr(0, size_t(rest.data() - text_.data()))));
    if (!read_options(rest)) return std::nullopt;
    return threshold_;
  }
  const std::string &error() const { return error_; }

 private:
  std::nullopt_t fail(const std::string &what) {
    error_ = fmt::format("threshold '{}': {}", text_, what);
    return std::nullopt;
  }

  bool read_metric(std::string_view &rest) {
    size_t end = rest.find_first_of("<>=! \t");
    std::string_view word = rest.substr(0, end);
    rest = trim(rest.substr(word.size()));
    if (word.empty()) {
      fail(fmt::format("no metric before '{}' (metrics: {})", rest.substr(0, 1), kMetricList));
      return false;
    }
    if (word.starts_with("p(")) {
      std::string_view inside = word.substr(2);
      std::string_view after;
      std::optional<double> n = leading_number(inside, after);
      if (!n || after != ")" || *n <= 0 || *n > 100) {
        fail(fmt::format("'{}': the percentile must be a number above 0 and at most 100, e.g. p(95) or p(99.9)",
                         word));
        return false;
      }
      threshold_.metric = Metric::percentile;
      threshold_.percentile = *n / 100.0;
      return true;
    }
    if (std::optional<Metric> m = metric_named(word)) {
      threshold_.metric = *m;
      return true;
    }
    std::string_view digits;
    if (word.size() > 1 && word[0] == 'p' && leading_number(word.substr(1), digits) && digits.empty())
      fail(fmt::format("unknown metric '{}'; did you mean p({})?", word, word.substr(1)));
    else if (!rest.empty() && rest.find_first_of("<>=!") != 0)  // "GET /cart p(95)<1s": words before the metric
      fail(fmt::format("unknown metric '{}'; a stats entry's name goes before a ':' (GET /cart: p(95)<300ms)", word));
    else
      fail(fmt::format("unknown metric '{}' (metrics: {})", word, kMetricList));
    return false;
  }

  bool read_comparison(std::string_view &rest) {
    static constexpr std::array<std::pair<std::string_view, Comparison>, 6> kOps{{
        {"<=", Comparison::less_equal},
        {">=", Comparison::greater_equal},
        {"==", Comparison::equal},
        {"!=", Comparison::not_equal},
        {"<", Comparison::less},
        {">", Comparison::greater},
    }};
    if (rest.empty()) {  // "GET /a: p(95)" when the name holds the comparison
      fail(fmt::format("no comparison after {} (< <= > >= == !=)", metric_text(threshold_)));
      return false;
    }
    for (const auto &[text, op] : kOps) {
      if (!rest.starts_with(text)) continue;
      std::string_view after = rest.substr(text.size());
      if (!after.empty() && (after[0] == '=' || after[0] == '<' || after[0] == '>')) break;  // "===", "<<"
      threshold_.comparison = op;
      rest = trim(after);
      return true;
    }
    std::string_view op = rest.substr(0, rest.find_first_not_of("<>=!"));
    if (op == "=" || op == "===")
      fail(fmt::format("'{}' is not a comparison; did you mean '=='?", op));
    else if (op == "=<" || op == "=>")
      fail(fmt::format("'{}' is not a comparison; did you mean '{}{}'?", op, op[1], op[0]));
    else
      fail(fmt::format("'{}' is not a comparison (one of < <= > >= == !=)",
                       op.empty() ? rest.substr(0, rest.find_first_of(" \t")) : op));
    return false;
  }

  bool read_value(std::string_view &rest) {
    std::string_view word = rest.substr(0, rest.find_first_of(" \t"));
    rest = trim(rest.substr(word.size()));
    const std::string metric = metric_text(threshold_);
    if (word.empty()) {
      fail(fmt::format("no value after '{}'", comparison_text(threshold_.comparison)));
      return false;
    }
    if (word.starts_with('-')) {
      fail(fmt::format("'{}': a value must not be negative", word));
      return false;
    }
    std::string_view suffix;
    std::optional<double> number = leading_number(word, suffix);
    switch (kind_of(threshold_.metric)) {
      case MetricKind::duration: {
        if (number && suffix.empty()) {
          fail(fmt::format("'{}' needs a unit: {} is a duration (write {}ms, or s, us)", word, metric, word));
          return false;
        }
        std::optional<double> us = duration_us(word);
        if (!us) {
          fail(fmt::format("'{}' is not a duration like 300ms, 1.5s or 250us", word));
          return false;
        }
        threshold_.limit = *us;
        return true;
      }
      case MetricKind::ratio:
        if (number && suffix == "%") {
          if (*number > 100) {
            fail(fmt::format("'{}': a ratio is at most 100%", word));
            return false;
          }
          threshold_.limit = *number / 100.0;
          return true;
        }
        if (number && suffix.empty()) {
          if (*number > 1) {
            fail(fmt::format("'{}': {} is between 0 and 1 (write 0.05 or 5%)", word, metric));
            return false;
          }
          threshold_.limit = *number;
          return true;
        }
        break;
      case MetricKind::count:
      case MetricKind::rate:
        if (number && suffix.empty()) {
          threshold_.limit = *number;
          return true;
        }
        if (number && suffix == "%") {
          fail(fmt::format("'{}': a percentage goes only with fail_ratio; {} is a plain number", word, metric));
          return false;
        }
        break;
    }
    const char *what = kind_of(threshold_.metric) == MetricKind::ratio ? "a ratio: write 0.01 or 1%"
                       : kind_of(threshold_.metric) == MetricKind::count ? "a count: write a plain number"
                                                                         : "per second: write a plain number";
    if (has_duration_unit(word))
      fail(fmt::format("'{}' is a duration, but {} is {}", word, metric, what));
    else
      fail(fmt::format("'{}' is not a number ({} is {})", word, metric, what));
    return false;
  }

  bool read_options(std::string_view rest) {
    std::vector<std::string_view> words;
    while (!rest.empty()) {
      std::string_view word = rest.substr(0, rest.find_first_of(" \t"));
      words.push_back(word);
      rest = trim(rest.substr(word.size()));
    }
    for (size_t i = 0; i < words.size(); ++i) {
      std::string_view word = words[i];
      if (word == "abort-on-fail" && !threshold_.abort_on_fail) {
        threshold_.abort_on_fail = true;
        if (i + 1 < words.size() && words[i + 1] == "delay") {
          if (i + 2 >= words.size()) {
            fail("'delay' needs a duration: abort-on-fail delay 10s");
            return false;
          }
          std::optional<double> us = duration_us(words[i + 2]);
          if (!us) {
            fail(fmt::format("'delay {}': '{}' is not a duration like 10s or 1m", words[i + 2], words[i + 2]));
            return false;
          }
          threshold_.abort_delay_s = *us / 1e6;
          i += 2;
        }
        continue;
      }
      if (word == "delay")
        fail("'delay' goes right after abort-on-fail: abort-on-fail delay 10s");
      else if (word == "abortOnFail" || word == "abort_on_fail" || word == "abort")
        fail(fmt::format("unknown option '{}'; did you mean abort-on-fail?", word));
      else
        fail(fmt::format("unexpected '{}' after the value (the only option is abort-on-fail [delay DURATION])", word));
      return false;
    }
    return true;
  }

  std::string_view text_;
  Threshold threshold_;
  std::string error_;
};

}  // namespace

std::optional<Threshold> parse_threshold(std::string_view text, std::string &error) {
  Reader reader(text);
  std::optional<Threshold> threshold = reader.read();
  if (!threshold) error = reader.error();
  return threshold;
}

}  // namespace loadhost::thresholds
