#include "hosts/loadhost/cli_options.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <iostream>

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

}  // namespace

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

namespace {

// Adds one plugin option to the CLI; its value lands in o.plugin_options.
void add_plugin_option(CLI::App &app, const PluginOption &p, CliOptions &o) {
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
}

}  // namespace

std::optional<CliOptions> parse(int argc, char **argv, const std::vector<PluginOption> &plugin_options,
                                int &exit_code) {
  CliOptions o;
  CLI::App app{"loadhost: load testing with users written as C++ code, and protocols as plugins.\n"
               "  loadhost -f shop.cpp -H http://127.0.0.1:8080 -u 100 -r 10 -t 5m --headless\n"
               "  loadhost --headless -u 50 -t 10s http://127.0.0.1:8080/   (quick mode, like wrk)",
               "loadhost"};
  app.option_defaults()->always_capture_default();
  app.set_version_flag("-V,--version", "loadhost " LOADHOST_VERSION);
  add_config_sources(app);
  app.allow_config_extras(false);

  app.add_option("-f,--locustfile,--scenario", o.scenario,
                 "Scenario: a C++ file (compiled and cached) or a built .so")
      ->envname("LOADHOST_LOCUSTFILE");
  app.add_option("url", o.url, "Quick mode: hit this URL in a loop, with no wait (no -f)");
  app.add_option("-X,--method", o.method, "Quick mode: the HTTP method");
  app.add_option("-H,--host", o.host, "Base URL of the system under test, e.g. http://127.0.0.1:8080")
      ->envname("LOADHOST_HOST");
  app.add_option("-u,--users", o.users, "Peak number of concurrent users")->envname("LOADHOST_USERS");
  app.add_option_function<double>(
         "-r,--spawn-rate",
         [&o](double r) {
           if (!std::isfinite(r) || r < 0)
             throw CLI::ValidationError("-r,--spawn-rate",
                                        fmt::format("{:g} is not a rate: give users per second, 0 or more", r));
           o.spawn_rate = r;
         },
         "Users started (or stopped) per second; default 1, quick mode: all at once")
      ->envname("LOADHOST_SPAWN_RATE");
  add_duration(app, "-t,--run-time", o.run_time_s, "Stop after this long (e.g. 30s, 1h30m); quick mode default 10s")
      ->envname("LOADHOST_RUN_TIME");
  std::optional<double> stop_timeout;
  add_duration(app, "-s,--stop-timeout", stop_timeout,
               "On stop, let users finish their task for this long (default 0: stop at once)")
      ->envname("LOADHOST_STOP_TIMEOUT");
  app.add_option("--stages", o.stages, "Load shape: DURATION:USERS stages, ramped linearly, e.g. 10s:50,30s:50,10s:0")
      ->envname("LOADHOST_STAGES");
  app.add_flag("--headless", o.headless, "Run without the web UI: start at once, stop at the end")
      ->envname("LOADHOST_HEADLESS");
  app.add_option("--web-host", o.web_host, "Web UI: the address to listen on (default 127.0.0.1, loopback only)")
      ->envname("LOADHOST_WEB_HOST");
  app.add_option("--web-port", o.web_port, "Web UI: the port (default 8089; 0 = any free port)")
      ->envname("LOADHOST_WEB_PORT");
  app.add_option("--web-auth", o.web_auth, "Web UI: require HTTP basic auth with these credentials, user:password")
      ->envname("LOADHOST_WEB_AUTH");
  app.add_option("--tls-cert", o.tls_cert, "Web UI: serve HTTPS with this certificate (PEM), with --tls-key")
      ->envname("LOADHOST_TLS_CERT");
  app.add_option("--tls-key", o.tls_key, "Web UI: the private key (PEM) of --tls-cert")->envname("LOADHOST_TLS_KEY");
  app.add_flag("--autostart", o.autostart, "Web UI: start the test at once with -u, -r and -t; the UI stays up")
      ->envname("LOADHOST_AUTOSTART");
  add_duration(app, "--autoquit", o.autoquit_s, "Web UI: quit this long after the test ends (default: stay up until Ctrl-C)")
      ->envname("LOADHOST_AUTOQUIT");
  app.add_option("--html", o.html_file, "Write a self-contained HTML report (stats, percentiles, charts) to this file")
      ->envname("LOADHOST_HTML");
  app.add_option("--csv", o.csv_prefix, "Write Locust-format CSV files PREFIX_stats.csv, _stats_history.csv, _failures.csv, _exceptions.csv")
      ->envname("LOADHOST_CSV");
  app.add_flag("--csv-full-history", o.csv_full_history, "Every entry in PREFIX_stats_history.csv, not only Aggregated")
      ->envname("LOADHOST_CSV_FULL_HISTORY");
  app.add_option("--json", o.json_file, "Write the final stats as JSON to this file")->envname("LOADHOST_JSON");
  app.add_flag("--only-summary", o.only_summary, "Print only the final summary, not the stats every few seconds")
      ->envname("LOADHOST_ONLY_SUMMARY");
  app.add_option("--exit-code-on-error", o.exit_code_on_error, "Exit code when any request failed")
      ->envname("LOADHOST_EXIT_CODE_ON_ERROR");
  app.add_option("-T,--tags", o.tags, "Only run tasks with any of these tags")->delimiter(',')->envname("LOADHOST_TAGS");
  app.add_option("-E,--exclude-tags", o.exclude_tags, "Do not run tasks with any of these tags")
      ->delimiter(',')
      ->envname("LOADHOST_EXCLUDE_TAGS");
  app.add_option("-L,--loglevel", o.loglevel, "DEBUG, INFO, WARNING or ERROR")
      ->check(CLI::IsMember({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}, CLI::ignore_case))
      ->envname("LOADHOST_LOGLEVEL");
  add_plugin_flag(app, o.plugins);
  app.add_option("--threads", o.threads, "Event-loop threads (default: one per core)")
      ->check(CLI::Range(0u, kMostThreads))
      ->envname("LOADHOST_THREADS");
  app.add_flag("--insecure", o.insecure, "Do not verify TLS certificates")->envname("LOADHOST_INSECURE");
  std::optional<double> request_timeout;
  add_duration(app, "--request-timeout", request_timeout, "Give up on a request after this long (default 60s)")
      ->envname("LOADHOST_REQUEST_TIMEOUT");
  app.add_flag("--no-connect-backoff", o.no_connect_backoff,
               "Retry failed connects at once (default: after failures in a row, a user waits 10 ms, doubling up "
               "to 1 s; every failure is still counted)")
      ->envname("LOADHOST_NO_CONNECT_BACKOFF");

  app.add_flag("--master", o.master, "Run as the master of a distributed test: workers run the users")
      ->envname("LOADHOST_MASTER");
  app.add_option("--master-bind-host", o.master_bind_host,
                 "Master: the address workers connect to (default 127.0.0.1, loopback only; * for every interface)")
      ->envname("LOADHOST_MASTER_BIND_HOST");
  app.add_option("--master-bind-port", o.master_bind_port, "Master: the port (default 5557)")
      ->envname("LOADHOST_MASTER_BIND_PORT");
  app.add_option("--expect-workers", o.expect_workers,
                 "Headless master: wait for this many workers before starting (default 1)")
      ->check(CLI::Range(1u, 1'000'000u))
      ->envname("LOADHOST_EXPECT_WORKERS");
  add_duration(app, "--expect-workers-max-wait", o.expect_workers_max_wait_s,
               "Headless master: give up (exit 1) if the workers have not all come by then (default: wait on)")
      ->envname("LOADHOST_EXPECT_WORKERS_MAX_WAIT");
  app.add_flag("--worker", o.worker, "Run as a worker: take users from a master (loadhost's or Locust's)")
      ->envname("LOADHOST_WORKER");
  app.add_option("--master-host", o.master_host, "Worker: the master's address (default 127.0.0.1)")
      ->envname("LOADHOST_MASTER_HOST");
  app.add_option("--master-port", o.master_port, "Worker: the master's port (default 5557)")
      ->envname("LOADHOST_MASTER_PORT");
  app.add_option("--master-key", o.master_key,
                 "Master and workers: encrypt with ZeroMQ CURVE and admit only workers holding this key file "
                 "(a master creates FILE, mode 0600, when it does not exist; copy it to the workers)")
      ->envname("LOADHOST_MASTER_KEY");

  for (const PluginOption &p : plugin_options) {
    try {
      add_plugin_option(app, p, o);
    } catch (const CLI::Error &e) {
      std::fprintf(stderr, "loadhost: plugin '%s' adds option --%s, which clashes: %s\n", p.plugin_id.c_str(),
                   p.spec.name, e.what());
      exit_code = 2;
      return std::nullopt;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {  // --help, --version
    exit_code = app.exit(e);
    return std::nullopt;
  } catch (const CLI::ParseError &e) {
    std::fprintf(stderr, "loadhost: %s (see loadhost --help)\n", e.what());
    exit_code = 2;
    return std::nullopt;
  }
  // A config file can name a scenario or a plugin, code that runs: say which
  // one was read (loadhost.conf in the working directory is read unasked).
  if (const CLI::Option *config = app.get_config_ptr(); config && config->count() > 0)
    std::fprintf(stderr, "loadhost: options read from %s\n", config->as<std::string>().c_str());
  if (stop_timeout) o.stop_timeout_s = *stop_timeout;
  if (request_timeout) o.request_timeout_s = *request_timeout;
  for (auto &l : o.loglevel) l = char(std::toupper(static_cast<unsigned char>(l)));
  if (o.scenario.empty() && o.url.empty()) {
    std::fprintf(stderr,
                 "loadhost: nothing to run: give a scenario (-f shop.cpp) or a URL for quick mode "
                 "(see loadhost --help)\n");
    exit_code = 2;
    return std::nullopt;
  }
  if (!o.scenario.empty() && !o.url.empty()) {
    std::fprintf(stderr, "loadhost: give either a scenario (-f) or a URL, not both (use -H for the scenario's host)\n");
    exit_code = 2;
    return std::nullopt;
  }
  if (!o.web_auth.empty() && o.web_auth.find(':') == std::string::npos) {
    std::fprintf(stderr, "loadhost: --web-auth '%s' must be user:password\n", o.web_auth.c_str());
    exit_code = 2;
    return std::nullopt;
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    std::fprintf(stderr, "loadhost: --tls-cert and --tls-key go together: give both for HTTPS, or neither\n");
    exit_code = 2;
    return std::nullopt;
  }
  if (o.master && o.worker) {
    std::fprintf(stderr, "loadhost: --master and --worker exclude each other: a process is one or the other\n");
    exit_code = 2;
    return std::nullopt;
  }
  if (o.request_timeout_s <= 0) {
    std::fprintf(stderr, "loadhost: --request-timeout must be more than 0\n");
    exit_code = 2;
    return std::nullopt;
  }
  return o;
}

}  // namespace loadhost::cli
