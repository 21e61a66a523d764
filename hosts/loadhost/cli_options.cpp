#include "hosts/loadhost/cli_options.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>

#include "core/report/write_file.hpp"
#include "core/runner/arrival_options.hpp"
#include "core/runner/load_shape.hpp"

namespace loadhost::cli {

namespace {

// More loop threads than this is a typo (and 100000 threads failed inside
// Boost.Asio); a loop per core is the default and the fast setting.
constexpr uint32_t kMostThreads = 1024;

// The config file's values, minus those a LOADHOST_* variable sets: CLI11
// reads the file before the environment and fills only empty options, so
// without this the file would win. Locust's order is file < environment <
// command line.
class EnvironmentBeatsFile : public CLI::ConfigTOML {
 public:
  std::vector<CLI::ConfigItem> from_config(std::istream &input) const override {
    std::vector<CLI::ConfigItem> items = CLI::ConfigTOML::from_config(input);
    std::erase_if(items, [](const CLI::ConfigItem &item) {
      std::string env = "LOADHOST_" + item.name;
      for (auto &c : env) c = c == '-' ? '_' : char(std::toupper(static_cast<unsigned char>(c)));
      const char *value = std::getenv(env.c_str());
      return value && *value;
    });
    return items;
  }
};

// A duration flag ("30s", "1h30m", "90"), checked when parsed.
CLI::Option *add_duration(CLI::App &app, const std::string &flags, std::optional<double> &out,
                          const std::string &help) {
  return app
      .add_option_function<std::string>(
          flags,
          [&out, flags](const std::string &text) {
            auto seconds = core::parse_duration(text);
            if (!seconds) throw CLI::ValidationError(flags, "'" + text + "' is not a duration like 30s, 5m or 1h30m");
            if (*seconds > core::kLongestDurationS)
              throw CLI::ValidationError(flags, "'" + text + "' is longer than " + core::kLongestDurationText +
                                                    ", the longest duration loadhost takes");
            out = *seconds;
          },
          help)
      ->type_name("DURATION");
}

// --config and the default loadhost.conf, read as the full parse reads them.
void add_config_sources(CLI::App &app) {
  app.set_config("--config", "loadhost.conf", "Read options from this file (key = value lines)");
  app.config_formatter(std::make_shared<EnvironmentBeatsFile>());
}

// --plugin, the same in the pre-scan and the full parse: one value per
// occurrence (else it takes the quick-mode URL after it), or a list with
// commas (the way a config file or LOADHOST_PLUGIN gives several).
CLI::Option *add_plugin_flag(CLI::App &app, std::vector<std::string> &plugins) {
  return app
      .add_option("--plugin", plugins, "Load a protocol plugin: a bundled id (http1) or a path to a .so (repeatable)")
      ->envname("LOADHOST_PLUGIN")
      ->delimiter(',')
      ->allow_extra_args(false);
}

// --help as a user reads it: `-u,--users N`, the default in words in the
// description ("default: one per core"), not CLI11's `UINT=0 (Env:...)`.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option_name(const CLI::Option *opt, bool is_positional) const override {
    return is_positional ? opt->get_type_name() : CLI::Formatter::make_option_name(opt, is_positional);
  }
  std::string make_option_usage(const CLI::Option *opt) const override { return "[" + opt->get_type_name() + "]"; }
  std::string make_option_opts(const CLI::Option *opt) const override {
    if (opt->get_type_size() == 0 || opt->get_lnames().empty()) return "";
    std::string out = " " + opt->get_type_name();
    if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) out += " ...";
    return out;
  }
};

// Optimal string alignment distance: edits, a swap of neighbours counting one.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

bool is_number(std::string_view text) {
  std::string s(text);
  char *end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0' && end != s.c_str();
}

// A flag on the command line that no option has: "" or one line naming it
// and the closest real one. Checked before CLI11's parse, which would take
// `--user 5 URL` for three positionals and blame the URL.
std::string unknown_flag(const CLI::App &app, int argc, char **argv) {
  std::vector<std::string> known;
  for (const CLI::Option *opt : app.get_options()) {
    for (const auto &n : opt->get_lnames()) known.push_back("--" + n);
    for (const auto &n : opt->get_snames()) known.push_back("-" + n);
  }
  bool value_next = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (value_next) {  // the value of the option before: "-d -1", "--sql '-- x'"
      value_next = false;
      continue;
    }
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-' || is_number(arg)) continue;
    size_t name_end = arg.starts_with("--") ? arg.find('=') : 2;
    std::string name(arg.substr(0, name_end));
    bool inline_value = name_end != std::string_view::npos && name_end < arg.size();
    const CLI::Option *opt = app.get_option_no_throw(name);
    if (!opt) {
      std::string near = closest_option(name, known);
      return near.empty() ? fmt::format("unknown option {}", name)
                          : fmt::format("unknown option {}; did you mean {}?", name, near);
    }
    value_next = opt->get_type_size() != 0 && !inline_value;
  }
  return "";
}

// Where a report goes must be a directory that exists and can be written,
// found before the test rather than after it.
std::string check_output(const char *flag, const std::string &path) {
  if (path.empty()) return "";
  std::string problem = report::output_directory_problem(path);
  if (problem.empty()) return "";
  return fmt::format("{} {}: {}", flag, path, problem);
}

}  // namespace

std::string closest_option(std::string_view typed, const std::vector<std::string> &known) {
  if (typed.size() <= 2) return "";  // "-x": every short flag is one edit away
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const std::string &k : known) {
    if (k.size() < 3 && typed.size() > 2) continue;  // "-u" for "--uzers" says little
    size_t d = edit_distance(typed, k);
    // A long flag cut short ("--spawn" for "--spawn-rate") is near too.
    if (typed.size() >= 5 && k.starts_with(typed)) d = std::min<size_t>(d, 1);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  size_t allowed = std::max<size_t>(2, typed.size() / 3);
  return best_distance <= allowed ? best : "";
}

std::vector<std::string> prescan_plugins(int argc, char **argv) {
  // The full parse cannot run yet (plugins add options), so this one knows
  // only --plugin and --config and lets everything else by: a plugin named
  // in a config file, the environment or argv loads the same way, with the
  // same precedence. Errors are the full parse's to report.
  std::vector<std::string> plugins;
  CLI::App app;
  app.set_help_flag();
  add_config_sources(app);
  app.allow_config_extras(true);
  app.allow_extras();
  add_plugin_flag(app, plugins);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Error &) {
    // The full parse reports it, with every option known.
  }
  return plugins;
}

std::string prescan_scenario(int argc, char **argv) {
  std::string scenario;
  CLI::App app;
  app.set_help_flag();
  add_config_sources(app);
  app.allow_config_extras(true);
  app.allow_extras();
  app.add_option("-f,--locustfile,--scenario", scenario)->envname("LOADHOST_LOCUSTFILE");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Error &) {
    // The full parse reports it.
  }
  return scenario;
}

namespace {

// Adds one plugin option to the CLI; its value lands in o.plugin_options.
CLI::Option *add_plugin_option(CLI::App &app, const PluginOption &p, CliOptions &o) {
  const lh_option_spec &s = p.spec;
  std::string flags = "--" + std::string(s.name);
  if (s.short_name && *s.short_name) flags = "-" + std::string(s.short_name) + "," + flags;
  std::string help = std::string(s.help ? s.help : "") + " [" + p.plugin_id + "]";
  std::string name = s.name;
  if (s.default_value) o.plugin_options[name] = s.default_value;
  CLI::Option *opt;
  if (s.flags & LH_OPTION_FLAG) {
    opt = app.add_flag_callback(flags, [&o, name] { o.plugin_options[name] = "1"; }, help);
  } else if (s.flags & LH_OPTION_REPEATABLE) {
    opt = app.add_option_function<std::vector<std::string>>(
        flags,
        [&o, name](const std::vector<std::string> &values) {
          std::string joined;
          for (const auto &v : values) joined += (joined.empty() ? "" : "\n") + v;
          o.plugin_options[name] = joined;
        },
        help);
    // One value per occurrence (-M a:1 -M b:2): otherwise CLI11 lets a
    // vector option take every following word, the quick-mode URL included.
    opt->allow_extra_args(false);
  } else {
    opt = app.add_option_function<std::string>(
        flags, [&o, name](const std::string &v) { o.plugin_options[name] = v; }, help);
  }
  if (s.value_name) opt->type_name(s.value_name);
  std::string env = "LOADHOST_" + name;
  for (auto &c : env) c = c == '-' ? '_' : char(std::toupper(static_cast<unsigned char>(c)));
  opt->envname(env);
  return opt;
}

}  // namespace

namespace {

// Adds every option of the core (the plugins' come after); `positionals`
// receives the URL or the user class names.
void add_core_options(CLI::App &app, CliOptions &o, std::vector<std::string> &positionals,
                      std::optional<double> &stop_timeout, std::optional<double> &request_timeout) {
  const std::string common = "Common options";
  app.add_option("-f,--locustfile,--scenario", o.scenario,
                 "Scenario: a C++ file (compiled and cached) or a built .so (Python locustfiles are not run)")
      ->type_name("FILE")
      ->envname("LOADHOST_LOCUSTFILE")
      ->group(common);
  app.add_option("url", positionals,
                 "Without -f, quick mode: request this URL in a loop, with no wait. With -f: run only these "
                 "user classes (default: all; -l lists them)")
      ->type_name("URL | UserClass ...")
      ->group(common);
  app.add_option("-H,--host", o.host, "Base URL of the system under test, e.g. http://127.0.0.1:8080")
      ->type_name("URL")
      ->envname("LOADHOST_HOST")
      ->group(common);
  app.add_option("-u,--users", o.users, "Peak number of concurrent users (default 1)")
      ->type_name("N")
      ->envname("LOADHOST_USERS")
      ->group(common);
  app.add_option_function<double>(
         "-r,--spawn-rate",
         [&o](double r) {
           if (!std::isfinite(r) || r < 0)
             throw CLI::ValidationError("-r,--spawn-rate",
                                        fmt::format("{:g} is not a rate: give users per second, 0 or more", r));
           o.spawn_rate = r;
         },
         "Users started (or stopped) per second (default 1; quick mode: all at once; 0: all at once)")
      ->type_name("RATE")
      ->envname("LOADHOST_SPAWN_RATE")
      ->group(common);
  add_duration(app, "-t,--run-time", o.run_time_s,
               "Stop after this long, e.g. 30s, 1h30m (default: until stopped; quick mode: 10s)")
      ->envname("LOADHOST_RUN_TIME")
      ->group(common);
  add_duration(app, "-s,--stop-timeout", stop_timeout,
               "On stop, let users finish their task for this long, then run on_stop (default 0: stop at once)")
      ->envname("LOADHOST_STOP_TIMEOUT")
      ->group(common);
  app.add_option("--stages", o.stages, "Load shape: DURATION:USERS stages, ramped linearly, e.g. 10s:50,30s:50,10s:0")
      ->type_name("STAGES")
      ->envname("LOADHOST_STAGES")
      ->group(common);
  app.add_option("-i,--iterations", o.iterations,
                 "Stop after this many task runs in all (locust-plugins' -i); users stop at their next task once "
                 "they have all started (default: no limit)")
      ->type_name("N")
      ->envname("LOADHOST_ITERATIONS")
      ->group(common);
  const std::string open_model = "Open model (docs/workload-models.md)";
  app.add_option("--arrival-rate", o.arrival_rate,
                 "Start this many iterations (one task each) per second whatever the response times, e.g. 500/s, "
                 "30/m; -u/-r then size only classes with a fixed_count")
      ->type_name("RATE")
      ->envname("LOADHOST_ARRIVAL_RATE")
      ->group(open_model);
  app.add_option("--arrival-stages", o.arrival_stages,
                 "Ramping arrival rate: DURATION:RATE stages, each ramped linearly from the previous rate (the first "
                 "from --arrival-rate, else 0), e.g. 30s:100/s,2m:1000/s,30s:0/s; the test ends after the last")
      ->type_name("STAGES")
      ->envname("LOADHOST_ARRIVAL_STAGES")
      ->group(open_model);
  app.add_option("--pre-allocated-users", o.pre_allocated_users,
                 "Users started up front to run the iterations (default: the peak rate x 1 s)")
      ->type_name("N")
      ->envname("LOADHOST_PRE_ALLOCATED_USERS")
      ->group(open_model);
  app.add_option("--max-users", o.max_users,
                 "The pool's ceiling: with every user busy, an iteration is dropped and counted (default: "
                 "--pre-allocated-users)")
      ->type_name("N")
      ->envname("LOADHOST_MAX_USERS")
      ->group(open_model);
  app.add_flag("--headless", o.headless, "Run without the web UI: start at once, stop at the end")
      ->envname("LOADHOST_HEADLESS")
      ->group(common);
  app.add_flag("-l,--list", o.list, "List the user classes (weights and tasks) and exit")->group(common);
  app.add_flag("--show-task-ratio", o.show_task_ratio,
               "Print the task ratio of each user class and in total, and exit")
      ->group(common);
  app.add_flag("--show-task-ratio-json", o.show_task_ratio_json, "Print the task ratio as JSON and exit")
      ->group(common);
  app.add_option("-X,--method", o.method, "Quick mode: the HTTP method (default GET)")
      ->type_name("METHOD")
      ->group(common);
  app.add_option("-T,--tags", o.tags, "Only run tasks with any of these tags")
      ->type_name("TAG,...")
      ->delimiter(',')
      ->envname("LOADHOST_TAGS")
      ->group(common);
  app.add_option("-E,--exclude-tags", o.exclude_tags, "Do not run tasks with any of these tags")
      ->type_name("TAG,...")
      ->delimiter(',')
      ->envname("LOADHOST_EXCLUDE_TAGS")
      ->group(common);

  const std::string web = "Web UI options";
  app.add_option("--web-host", o.web_host, "The address to listen on (default 127.0.0.1, loopback only)")
      ->type_name("ADDR")
      ->envname("LOADHOST_WEB_HOST")
      ->group(web);
  app.add_option("--web-port", o.web_port, "The port (default 8089; 0 = any free port)")
      ->type_name("PORT")
      ->envname("LOADHOST_WEB_PORT")
      ->group(web);
  app.add_option("--web-auth", o.web_auth, "Require HTTP basic auth with these credentials")
      ->type_name("USER:PASSWORD")
      ->envname("LOADHOST_WEB_AUTH")
      ->group(web);
  app.add_option("--tls-cert", o.tls_cert, "Serve HTTPS with this certificate (PEM), with --tls-key")
      ->type_name("FILE")
      ->envname("LOADHOST_TLS_CERT")
      ->group(web);
  app.add_option("--tls-key", o.tls_key, "The private key (PEM) of --tls-cert")
      ->type_name("FILE")
      ->envname("LOADHOST_TLS_KEY")
      ->group(web);
  app.add_flag("--autostart", o.autostart, "Start the test at once with -u, -r and -t; the UI stays up")
      ->envname("LOADHOST_AUTOSTART")
      ->group(web);
  add_duration(app, "--autoquit", o.autoquit_s, "Quit this long after the test ends (default: stay up until Ctrl-C)")
      ->envname("LOADHOST_AUTOQUIT")
      ->group(web);

  const std::string stats = "Request statistics options";
  app.add_option("--csv", o.csv_prefix,
                 "Write Locust's CSV files PREFIX_stats.csv (rewritten every second), _stats_history.csv, "
                 "_failures.csv, _exceptions.csv")
      ->type_name("PREFIX")
      ->envname("LOADHOST_CSV")
      ->group(stats);
  app.add_flag("--csv-full-history", o.csv_full_history, "Every entry in PREFIX_stats_history.csv, not only Aggregated")
      ->envname("LOADHOST_CSV_FULL_HISTORY")
      ->group(stats);
  app.add_option("--html", o.html_file, "Write a self-contained HTML report (stats, percentiles, charts) to this file")
      ->type_name("FILE")
      ->envname("LOADHOST_HTML")
      ->group(stats);
  app.add_option("--json", o.json_file, "Write the final stats as JSON to this file")
      ->type_name("FILE")
      ->envname("LOADHOST_JSON")
      ->group(stats);
  app.add_flag("--only-summary", o.only_summary, "Print only the final summary, not the stats every 2 s")
      ->envname("LOADHOST_ONLY_SUMMARY")
      ->group(stats);
  app.add_flag("--reset-stats", o.reset_stats, "Reset the stats once spawning has completed (the reset_stats hook fires)")
      ->envname("LOADHOST_RESET_STATS")
      ->group(stats);
  app.add_option("--threshold", o.thresholds,
                 "Pass/fail criterion, repeatable: [NAME:] METRIC OP VALUE [abort-on-fail [delay DURATION]], e.g. "
                 "'p(95)<300ms' or 'GET /cart: fail_ratio<1%'; a failed one exits 99 (docs/thresholds.md)")
      ->type_name("EXPR")
      ->envname("LOADHOST_THRESHOLD")
      // One expression per occurrence: a vector option would otherwise take
      // the quick-mode URL after it too.
      ->allow_extra_args(false)
      ->group(stats);
  app.add_option("--exit-code-on-error", o.exit_code_on_error, "Exit code when any request failed (default 1)")
      ->type_name("CODE")
      ->envname("LOADHOST_EXIT_CODE_ON_ERROR")
      ->group(stats);

  const std::string logging = "Logging options";
  app.add_option("-L,--loglevel", o.loglevel, "DEBUG, INFO, WARNING or ERROR (default INFO)")
      ->type_name("LEVEL")
      ->check(CLI::IsMember({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}, CLI::ignore_case).description(""))
      ->envname("LOADHOST_LOGLEVEL")
      ->group(logging);
  app.add_option("--logfile", o.logfile, "Append the log to this file instead of stderr (the stats stay on stdout)")
      ->type_name("FILE")
      ->envname("LOADHOST_LOGFILE")
      ->group(logging);

  const std::string distributed = "Distributed options";
  app.add_flag("--master", o.master, "Run as the master of a distributed test: workers run the users")
      ->envname("LOADHOST_MASTER")
      ->group(distributed);
  app.add_option("--master-bind-host", o.master_bind_host,
                 "Master: the address workers connect to (default 127.0.0.1, loopback only; * for every interface)")
      ->type_name("ADDR")
      ->envname("LOADHOST_MASTER_BIND_HOST")
      ->group(distributed);
  app.add_option("--master-bind-port", o.master_bind_port, "Master: the port (default 5557)")
      ->type_name("PORT")
      ->envname("LOADHOST_MASTER_BIND_PORT")
      ->group(distributed);
  app.add_option("--expect-workers", o.expect_workers,
                 "Headless master: wait for this many workers before starting (default 1)")
      ->type_name("N")
      ->check(CLI::Range(1u, 1'000'000u).description(""))
      ->envname("LOADHOST_EXPECT_WORKERS")
      ->group(distributed);
  add_duration(app, "--expect-workers-max-wait", o.expect_workers_max_wait_s,
               "Headless master: give up (exit 1) if the workers have not all come by then (default: wait on)")
      ->envname("LOADHOST_EXPECT_WORKERS_MAX_WAIT")
      ->group(distributed);
  app.add_flag("--worker", o.worker, "Run as a worker: take users from a master (loadhost's or Locust's)")
      ->envname("LOADHOST_WORKER")
      ->group(distributed);
  app.add_option("--master-host", o.master_host, "Worker: the master's address (default 127.0.0.1)")
      ->type_name("ADDR")
      ->envname("LOADHOST_MASTER_HOST")
      ->group(distributed);
  app.add_option("--master-port", o.master_port, "Worker: the master's port (default 5557)")
      ->type_name("PORT")
      ->envname("LOADHOST_MASTER_PORT")
      ->group(distributed);
  app.add_option("--master-key", o.master_key,
                 "Master and workers: encrypt with ZeroMQ CURVE and admit only workers holding this key file "
                 "(a master creates FILE, mode 0600, when it does not exist; copy it to the workers)")
      ->type_name("FILE")
      ->envname("LOADHOST_MASTER_KEY")
      ->group(distributed);

  const std::string other = "Other options";
  add_plugin_flag(app, o.plugins)->type_name("ID|PATH")->group(other);
  app.add_option("--threads", o.threads, "Event-loop threads (default: one per core; at most 1024)")
      ->type_name("N")
      ->check(CLI::Range(0u, kMostThreads).description(""))
      ->envname("LOADHOST_THREADS")
      ->group(other);
  app.add_flag("--insecure", o.insecure, "Do not verify TLS certificates")->envname("LOADHOST_INSECURE")->group(other);
  add_duration(app, "--request-timeout", request_timeout, "Give up on a request after this long (default 60s)")
      ->envname("LOADHOST_REQUEST_TIMEOUT")
      ->group(other);
  app.add_flag("--no-connect-backoff", o.no_connect_backoff,
               "Retry failed connects at once (default: after failures in a row, a user waits 10 ms, doubling up "
               "to 1 s; every failure is still counted)")
      ->envname("LOADHOST_NO_CONNECT_BACKOFF")
      ->group(other);
}

// The plugins' ids, each once, in order: "grpc, http2".
std::string plugin_ids(const std::vector<PluginOption> &plugin_options) {
  std::vector<std::string> ids;
  for (const PluginOption &p : plugin_options)
    if (std::find(ids.begin(), ids.end(), p.plugin_id) == ids.end()) ids.push_back(p.plugin_id);
  std::string out;
  for (const auto &id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

// The open model's flags, each checked alone and together.
std::string check_open_model(const CliOptions &o) {
  if (!o.arrival_rate.empty()) {
    std::optional<double> rate = core::parse_rate(o.arrival_rate);
    if (!rate) return fmt::format("--arrival-rate '{}' is not a rate: give iterations per second, e.g. 500/s or 30/m",
                                  o.arrival_rate);
    if (*rate <= 0 && o.arrival_stages.empty()) return "--arrival-rate must be more than 0 (or give --arrival-stages)";
  }
  if (!o.arrival_stages.empty()) {
    std::string error;
    core::parse_arrival_stages(o.arrival_stages, error);
    if (!error.empty()) return error;
  }
  const bool open = !o.arrival_rate.empty() || !o.arrival_stages.empty();
  if (!open && (o.pre_allocated_users || o.max_users))
    return "--pre-allocated-users and --max-users size the open model: give --arrival-rate or --arrival-stages too";
  if (o.max_users && o.pre_allocated_users > o.max_users)
    return fmt::format("--max-users ({}) must be at least --pre-allocated-users ({})", o.max_users,
                       o.pre_allocated_users);
  if (open && o.worker)
    return "--arrival-rate and --arrival-stages go to the master (--master): it splits the rate among its workers";
  if (open && !o.stages.empty())
    return "--stages (users) and --arrival-stages/--arrival-rate exclude each other: pick the closed or the open model";
  return "";
}

std::optional<CliOptions> fail(int &exit_code, const std::string &line) {
  std::fprintf(stderr, "loadhost: %s\n", line.c_str());
  exit_code = 2;
  return std::nullopt;
}

// The positionals: one URL (quick mode) without -f, user class names with it.
std::string sort_positionals(CliOptions &o, const std::vector<std::string> &positionals) {
  bool any_url = std::any_of(positionals.begin(), positionals.end(),
                             [](const std::string &p) { return p.find("://") != std::string::npos; });
  if (!o.scenario.empty()) {
    if (any_url) return "give either a scenario (-f) or a URL, not both (use -H for the scenario's host)";
    o.user_classes = positionals;
    return "";
  }
  if (positionals.empty()) return "";
  if (!any_url)
    return fmt::format("'{}' is not a URL (quick mode wants one like http://127.0.0.1:8080/), and user classes "
                       "are picked by name only with a scenario (-f shop.cpp {})",
                       positionals[0], positionals[0]);
  if (positionals.size() > 1) {
    std::string rest;
    for (size_t i = 1; i < positionals.size(); ++i) rest += (rest.empty() ? "'" : ", '") + positionals[i] + "'";
    return fmt::format("quick mode takes one URL; what is {}?", rest);
  }
  o.url = positionals[0];
  return "";
}

}  // namespace

std::optional<CliOptions> parse(int argc, char **argv, const std::vector<PluginOption> &plugin_options,
                                int &exit_code) {
  CliOptions o;
  CLI::App app{"loadhost: load testing with users written as C++ code, and protocols as plugins.\n"
               "  loadhost -f shop.cpp -H http://127.0.0.1:8080 -u 100 -r 10 -t 5m --headless\n"
               "  loadhost -f shop.cpp Shopper        (only the user class Shopper)\n"
               "  loadhost --headless -u 50 -t 10s http://127.0.0.1:8080/   (quick mode, like wrk)",
               "loadhost"};
  app.formatter(std::make_shared<HelpFormatter>());
  app.get_formatter()->column_width(34);
  app.set_version_flag("-V,--version", "loadhost " LOADHOST_VERSION);
  add_config_sources(app);
  app.get_config_ptr()->type_name("FILE")->group("Common options");
  app.allow_config_extras(false);

  std::vector<std::string> positionals;
  std::optional<double> stop_timeout;
  std::optional<double> request_timeout;
  add_core_options(app, o, positionals, stop_timeout, request_timeout);

  // Every plugin's options are parsed; --help shows those of the plugins
  // named with --plugin (`loadhost help ID` shows one plugin's).
  std::set<std::string> shown;
  for (const PluginOption &p : plugin_options)
    if (p.shown_in_help) shown.insert(p.plugin_id);
  for (const PluginOption &p : plugin_options) {
    try {
      add_plugin_option(app, p, o)->group(shown.count(p.plugin_id) ? "Options of plugin " + p.plugin_id : "");
    } catch (const CLI::Error &e) {
      std::fprintf(stderr, "loadhost: plugin '%s' adds option --%s, which clashes: %s\n", p.plugin_id.c_str(),
                   p.spec.name, e.what());
      exit_code = 2;
      return std::nullopt;
    }
  }
  std::string footer =
      "Every option can also be given in loadhost.conf (or --config FILE) as `name = value`, or in the "
      "environment as LOADHOST_NAME.";
  if (std::string ids = plugin_ids(plugin_options); !ids.empty())
    footer += "\nPlugins with options of their own: " + ids +
              ". To see them: loadhost help ID (or loadhost --plugin ID --help).";
  app.footer(footer);

  if (std::string e = unknown_flag(app, argc, argv); !e.empty()) return fail(exit_code, e + " (see loadhost --help)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {  // --help, --version
    exit_code = app.exit(e);
    return std::nullopt;
  } catch (const CLI::ParseError &e) {
    return fail(exit_code, std::string(e.what()) + " (see loadhost --help)");
  }
  // A config file can name a scenario or a plugin, code that runs: say which
  // one was read (loadhost.conf in the working directory is read unasked).
  if (const CLI::Option *config = app.get_config_ptr(); config && config->count() > 0)
    std::fprintf(stderr, "loadhost: options read from %s\n", config->as<std::string>().c_str());
  if (stop_timeout) o.stop_timeout_s = *stop_timeout;
  if (request_timeout) o.request_timeout_s = *request_timeout;
  o.users_given = app.get_option("--users")->count() > 0;
  for (auto &l : o.loglevel) l = char(std::toupper(static_cast<unsigned char>(l)));
  if (std::string e = sort_positionals(o, positionals); !e.empty()) return fail(exit_code, e);
  if (o.scenario.empty() && o.url.empty())
    return fail(exit_code,
                "nothing to run: give a scenario (-f shop.cpp) or a URL for quick mode (see loadhost --help)");
  if (!o.web_auth.empty() && o.web_auth.find(':') == std::string::npos)
    return fail(exit_code, fmt::format("--web-auth '{}' must be user:password", o.web_auth));
  if (o.tls_cert.empty() != o.tls_key.empty())
    return fail(exit_code, "--tls-cert and --tls-key go together: give both for HTTPS, or neither");
  if (o.master && o.worker)
    return fail(exit_code, "--master and --worker exclude each other: a process is one or the other");
  if (o.request_timeout_s <= 0) return fail(exit_code, "--request-timeout must be more than 0");
  if (std::string e = check_open_model(o); !e.empty()) return fail(exit_code, e);
  const bool inspecting = o.list || o.show_task_ratio || o.show_task_ratio_json;
  if (!inspecting) {
    for (std::string e : {check_output("--csv", o.csv_prefix), check_output("--json", o.json_file),
                          check_output("--html", o.html_file)})
      if (!e.empty()) return fail(exit_code, e);
  }
  if (std::string e = check_output("--logfile", o.logfile); !e.empty()) return fail(exit_code, e);
  return o;
}

std::string plugin_help(const std::string &plugin_id, const std::string &plugin_title,
                        const std::vector<PluginOption> &plugin_options) {
  CliOptions o;
  CLI::App app{plugin_title, "loadhost"};
  app.formatter(std::make_shared<HelpFormatter>());
  app.get_formatter()->column_width(34);
  app.set_help_flag();
  bool any = false;
  for (const PluginOption &p : plugin_options) {
    if (p.plugin_id != plugin_id) continue;
    add_plugin_option(app, p, o)->group("Options of plugin " + plugin_id);
    any = true;
  }
  if (!any) return "";
  app.footer("Add them to any loadhost command line; the plugin loads without --plugin when it is bundled.");
  return app.help();
}

}  // namespace loadhost::cli
