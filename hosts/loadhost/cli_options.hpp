// The `loadhost` command line: Locust's flags where they exist, so a Locust
// user's muscle memory works, plus loadhost's own (--plugin, --threads,
// --insecure, --stages, --request-timeout). Sources, later winning:
// loadhost.conf / --config FILE, LOADHOST_* environment variables, flags.
#pragma once

#include <loadhost/options.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loadhost::cli {

struct CliOptions {
  std::string scenario;                // -f: a .cpp to compile or a .so
  std::string url;                     // quick mode: a URL and no -f
  std::vector<std::string> user_classes;  // with -f: run only these classes (positional names)
  bool list = false;                   // -l: list the user classes and exit
  bool show_task_ratio = false;        // print the task ratio tables and exit
  bool show_task_ratio_json = false;   // the same as JSON
  std::string method = "GET";          // quick mode: -X
  std::string host;                    // -H: base URL for users
  uint32_t users = 1;                  // -u
  bool users_given = false;            // -u from any source (the task ratio's weighting)
  std::optional<double> spawn_rate;    // -r (default 1/s; quick mode: all at once)
  std::optional<double> run_time_s;    // -t
  double stop_timeout_s = 0;           // -s
  std::string stages;                  // --stages 10s:50,30s:0
  uint64_t iterations = 0;             // -i: at most this many task runs, then stop (0: no limit)
  // The open model (docs/workload-models.md): iterations started per
  // second whatever the response times, by a pool of users.
  std::string arrival_rate;            // --arrival-rate 500/s ("" = closed model)
  std::string arrival_stages;          // --arrival-stages 30s:100/s,2m:1000/s
  uint32_t pre_allocated_users = 0;    // --pre-allocated-users (0 = rate x 1 s)
  uint32_t max_users = 0;              // --max-users (0 = pre-allocated)
  bool headless = false;
  // The web UI (when not headless): Locust's flags and defaults.
  std::string web_host = "127.0.0.1";  // loopback unless told otherwise
  uint16_t web_port = 8089;
  std::string web_auth;                // user:password (HTTP basic)
  std::string tls_cert;
  std::string tls_key;
  bool autostart = false;              // start with -u/-r/-t at once, UI stays up
  std::optional<double> autoquit_s;    // quit this long after the test ends
  std::string html_file;               // --html
  std::string csv_prefix;              // --csv
  bool csv_full_history = false;
  std::string json_file;               // --json
  bool only_summary = false;
  bool reset_stats = false;            // --reset-stats: zero the stats once spawning completes
  int exit_code_on_error = 1;
  // --threshold EXPR (repeatable; a config file's `threshold = [...]`):
  // pass/fail criteria, checked by threshold_setup before the run.
  std::vector<std::string> thresholds;
  std::vector<std::string> tags;       // -T
  std::vector<std::string> exclude_tags;  // -E
  std::string loglevel = "INFO";       // -L
  std::string logfile;                 // --logfile: log lines go there instead of stderr
  std::vector<std::string> plugins;    // --plugin ID|PATH
  uint32_t threads = 0;                // --threads (0 = one per core)
  bool insecure = false;
  double request_timeout_s = 60;
  bool no_connect_backoff = false;     // --no-connect-backoff
  std::string config_file;
  // Distributed runs (Locust's flags and defaults).
  bool master = false;
  std::string master_bind_host = "127.0.0.1";  // loopback unless told otherwise
  uint16_t master_bind_port = 5557;
  uint32_t expect_workers = 1;             // headless master: wait for this many
  std::optional<double> expect_workers_max_wait_s;  // then give up (default: wait on)
  bool worker = false;
  std::string master_host = "127.0.0.1";
  uint16_t master_port = 5557;
  std::string master_key;                  // --master-key FILE: CURVE, only key holders join
  // Options added by plugins (lh_plugin_options), by name: the text given,
  // else the plugin's default; "1" for set flags; repeats joined by '\n'.
  std::map<std::string, std::string> plugin_options;
};

// An option a loaded plugin added, and which plugin added it.
struct PluginOption {
  lh_option_spec spec;
  std::string plugin_id;
  bool shown_in_help = false;  // its plugin was named with --plugin
};

// The --plugin values from every source (config file, LOADHOST_PLUGIN, argv,
// with the full parse's precedence), read before the full parse: plugins
// must be loaded before their options can be parsed.
std::vector<std::string> prescan_plugins(int argc, char **argv);

// The scenario (-f, --locustfile, LOADHOST_LOCUSTFILE, a config file's
// locustfile) read the same way before the full parse: a scenario may add
// options of its own (lh_scenario.options), so it is loaded first. "" when
// none is named.
std::string prescan_scenario(int argc, char **argv);

// Parses argv. On --help/--version prints and returns exit code 0 in
// `exit_code`; on a usage error prints one line and sets exit_code to 2.
// --help lists the core's options, and those of the plugins named with
// --plugin (all of them are parsed either way).
std::optional<CliOptions> parse(int argc, char **argv, const std::vector<PluginOption> &plugin_options,
                                int &exit_code);

// `loadhost help ID`: the options of one plugin, with what it is. Returns
// the text, or "" when no plugin of that id added options.
std::string plugin_help(const std::string &plugin_id, const std::string &plugin_title,
                        const std::vector<PluginOption> &plugin_options);

// The option of `known` closest to `typed` (a mistyped flag), or "".
std::string closest_option(std::string_view typed, const std::vector<std::string> &known);

}  // namespace loadhost::cli
