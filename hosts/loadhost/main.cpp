// loadhost: the headless command-line host. It wires the pieces: options ->
// engine (loops, plugins) -> scenario (quick mode, a .cpp compiled, or a
// .so) -> runner -> reports -> exit code.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <fcntl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "core/distributed/master.hpp"
#include "core/distributed/worker.hpp"
#include "core/engine/clock.hpp"
#include "core/engine/crash_report.hpp"
#include "core/engine/engine.hpp"
#include "core/engine/open_file_limit.hpp"  // raise_open_file_limit
#include "core/loader/plugin_registry.hpp"
#include "core/loader/scenario_compiler.hpp"
#include "core/runner/arrival_options.hpp"
#include "core/runner/runner.hpp"
#include "hosts/loadhost/cli_options.hpp"
#include "hosts/loadhost/distributed_setup.hpp"
#include "hosts/loadhost/install_layout.hpp"
#include "hosts/loadhost/test_driver.hpp"
#include "hosts/loadhost/threshold_setup.hpp"
#include "hosts/loadhost/user_classes.hpp"
#include "hosts/loadhost/web/web_ui.hpp"

extern "C" const lh_entry loadhost_quick_entry;

namespace {

using namespace loadhost;

// k6's exit code for failed thresholds: CI tells them from request failures
// (1, --exit-code-on-error) and usage errors (2).
constexpr int kThresholdsFailedExitCode = 99;

lh_log_level to_level(const std::string &name) {
  if (name == "DEBUG") return LH_LOG_DEBUG;
  if (name == "WARNING") return LH_LOG_WARNING;
  if (name == "ERROR" || name == "CRITICAL") return LH_LOG_ERROR;
  return LH_LOG_INFO;
}

std::string join(const std::vector<std::string> &items) {
  std::string out;
  for (const auto &i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

core::EngineConfig engine_config(const cli::CliOptions &o) {
  core::EngineConfig c;
  c.loop_threads = o.threads;
  c.default_timeout_ns = uint64_t(o.request_timeout_s * 1e9);
  c.log_level = to_level(o.loglevel);
  c.connect_backoff = !o.no_connect_backoff;
  if (!o.host.empty()) c.options["host"] = o.host;
  if (!o.tags.empty()) c.options["tags"] = join(o.tags);
  if (!o.exclude_tags.empty()) c.options["exclude-tags"] = join(o.exclude_tags);
  if (o.insecure) c.options["insecure"] = "1";
  if (o.iterations) c.options["iterations"] = std::to_string(o.iterations);
  if (!o.url.empty()) {
    c.options["quick-url"] = o.url;
    c.options["quick-method"] = o.method;
  }
  for (const auto &[name, value] : o.plugin_options) c.options[name] = value;
  return c;
}

// Every option the loaded protocol plugins add (lh_plugin_options); those of
// the plugins named with --plugin (`named`) are shown by --help.
std::vector<cli::PluginOption> plugin_options(core::PluginRegistry &registry, const std::vector<std::string> &named,
                                              const std::vector<std::string> &dirs) {
  std::vector<cli::PluginOption> out;
  for (const lh_protocol *p : registry.protocols()) {
    const auto *ext = p->get_extension
                          ? static_cast<const lh_plugin_options *>(p->get_extension(p, LH_PLUGIN_OPTIONS_ID))
                          : nullptr;
    if (!ext) continue;
    const std::string id = p->descriptor->id;
    bool shown = std::any_of(named.begin(), named.end(), [&](const std::string &n) {
      return n == id || core::find_plugin(n, dirs) == registry.library_of(id);
    });
    for (uint32_t i = 0; i < ext->option_count; ++i) out.push_back({ext->options[i], id, shown});
  }
  return out;
}

// The scenario's own options (lh_scenario.options, ABI 1.2), shown by
// --help as "[scenario]".
void add_scenario_options(const lh_scenario &scenario, std::vector<cli::PluginOption> &out) {
  if (scenario.size < offsetof(lh_scenario, options) + sizeof(scenario.options) || !scenario.options) return;
  const lh_plugin_options &table = *scenario.options;
  for (uint32_t i = 0; i < table.option_count; ++i) out.push_back({table.options[i], "scenario", true});
}

// `loadhost help [ID]`: the whole help, or one plugin's options.
int help_command(int argc, char **argv, core::PluginRegistry &registry,
                 const std::vector<cli::PluginOption> &options) {
  if (argc < 3) {
    char help_flag[] = "--help";
    char *help_argv[] = {argv[0], help_flag, nullptr};
    int exit_code = 0;
    cli::parse(2, help_argv, options, exit_code);
    return exit_code;
  }
  const std::string id = argv[2];
  const lh_protocol *p = registry.protocol_by_id(id);
  if (!p) {
    std::fprintf(stderr, "loadhost: no plugin '%s' is loaded (loaded: %s); load one with --plugin ID|PATH\n",
                 id.c_str(), registry.protocol_ids().c_str());
    return 2;
  }
  const lh_descriptor &d = *p->descriptor;
  std::string title = fmt::format("{} ({} {}, {}): {}", d.id, d.name ? d.name : d.id, d.version ? d.version : "",
                                  d.vendor ? d.vendor : "", d.description ? d.description : "");
  std::string text = cli::plugin_help(id, title, options);
  if (text.empty()) text = title + "\nIt adds no options of its own.\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

// --logfile: from here on the log (every "loadhost: ..." line, the
// scenario's and plugins' log, a crash report) goes to the file, appended,
// as Locust's; the stats tables stay on stdout.
std::string redirect_log(const std::string &path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return fmt::format("--logfile {}: {}", path, std::strerror(errno));
  std::fflush(stderr);
  if (::dup2(fd, STDERR_FILENO) < 0) {
    std::string e = fmt::format("--logfile {}: {}", path, std::strerror(errno));
    ::close(fd);
    return e;
  }
  ::close(fd);
  return "";
}

// Quick mode's user: the plugin serving the URL's scheme may bring its own
// (lh_plugin_options.quick_user); http(s) has the host's built-in one.
const lh_user_class *plugin_quick_user(core::PluginRegistry &registry, const std::string &url) {
  size_t colon = url.find("://");
  if (colon == std::string::npos) return nullptr;
  const lh_protocol *p = registry.protocol_by_scheme(url.substr(0, colon));
  if (!p || !p->get_extension) return nullptr;
  const auto *ext = static_cast<const lh_plugin_options *>(p->get_extension(p, LH_PLUGIN_OPTIONS_ID));
  return ext ? ext->quick_user : nullptr;
}

// Bundled plugins, LOADHOST_PLUGIN_PATH, then --plugin. Returns "" or why not.
std::string load_plugins(core::Engine &engine, const std::vector<std::string> &named,
                         const cli::InstallLayout &layout) {
  std::vector<std::string> dirs = cli::plugin_search_dirs(layout);
  for (const auto &dir : dirs) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(dir, ec)) {
      if (std::string e = engine.plugins().load(dir); !e.empty()) return e;
      continue;
    }
    if (std::string e = cli::untrusted_plugin_dir(dir); !e.empty()) return e;
    for (const auto &so : cli::plugins_in(dir))
      if (std::string e = engine.plugins().load(so); !e.empty()) return e;
  }
  for (const auto &name : named) {
    std::string path = core::find_plugin(name, dirs);
    if (path.empty())
      return fmt::format("plugin '{}': not found (looked for {}.so in {}); give a path to a .so",
                         name, name, join(dirs));
    if (std::string e = engine.plugins().load(path); !e.empty()) return e;
  }
  return "";
}

std::string load_scenario(core::Engine &engine, const cli::CliOptions &o, const cli::InstallLayout &layout,
                          lh_scenario &plugin_quick) {
  if (!o.url.empty()) {
    if (const lh_user_class *user = plugin_quick_user(engine.plugins(), o.url)) {
      static const lh_user_class *classes[1];
      classes[0] = user;
      plugin_quick = lh_scenario{sizeof(lh_scenario), 1, classes, nullptr};
      return "";
    }
    if (!o.url.starts_with("http://") && !o.url.starts_with("https://"))
      return fmt::format("no quick mode for '{}': no loaded plugin serves that URL scheme with a quick "
                         "mode (load one with --plugin, or write a scenario and use -f)",
                         o.url);
    return engine.plugins().add_builtin(&loadhost_quick_entry, "quick mode");
  }
  std::string path = o.scenario;
  const bool cpp = path.ends_with(".cpp") || path.ends_with(".cc") || path.ends_with(".cxx");
  if (path.ends_with(".py"))
    return fmt::format("scenario '{}' is Python: loadhost runs scenarios written in C++ (a .cpp file, compiled "
                       "and cached, or a built .so), not locustfiles; see docs/writing-scenarios.md",
                       path);
  if (std::error_code ec; !std::filesystem::exists(path, ec))
    return fmt::format("scenario '{}': no such file", path);
  if (!cpp && !path.ends_with(".so") && path.find(".so.") == std::string::npos)
    return fmt::format("scenario '{}': not a C++ file (.cpp, .cc, .cxx) or a built .so", path);
  if (cpp) {
    core::CompilerSettings settings;
    if (const char *cxx = std::getenv("CXX"); cxx && *cxx) settings.compiler = cxx;
    settings.sdk_include_dir = layout.sdk_include_dir;
    settings.cache_dir = core::default_cache_dir();
    settings.extra_flags = {"-O2"};
    core::CompileResult r = core::compile_scenario(path, settings);
    if (!r.error.empty()) return r.error;
    if (!r.cached) engine.log(LH_LOG_INFO, fmt::format("compiled {} into {}", path, r.library));
    path = r.library;
  }
  std::string error = engine.plugins().load(path);
  if (error.empty() && !engine.plugins().scenario())
    return fmt::format("'{}' is a plugin without a scenario: give it with --plugin, and a scenario with -f", o.scenario);
  return error;
}

// The open model from the flags (checked by cli::parse): --arrival-stages
// ramp from --arrival-rate (else 0), a lone --arrival-rate is constant.
core::ArrivalOptions arrival_for(const cli::CliOptions &o) {
  core::ArrivalOptions arrival;
  double rate = o.arrival_rate.empty() ? 0 : core::parse_rate(o.arrival_rate).value_or(0);
  std::string error;
  if (!o.arrival_stages.empty())
    arrival.plan = core::ArrivalPlan::stages(rate, core::parse_arrival_stages(o.arrival_stages, error));
  else if (rate > 0)
    arrival.plan = core::ArrivalPlan::constant(rate);
  arrival.pre_allocated_users = o.pre_allocated_users;
  arrival.max_users = o.max_users;
  return arrival;
}

core::LoadShape shape_for(const cli::CliOptions &o, const lh_scenario &scenario, std::string &error) {
  if (!o.stages.empty()) {
    auto stages = core::parse_stages(o.stages, error);
    return error.empty() ? core::make_stages_shape(std::move(stages)) : core::LoadShape{};
  }
  return core::make_scenario_shape(scenario);
}

// With --tags / --exclude-tags: "" when some class still has a task to
// run, else the line to stop on, before any user starts (Locust runs users
// that do nothing). A class that cannot describe its tasks (a scenario of
// ABI 1.1, or in C without describe_tasks) counts as having some.
std::string check_tags_leave_tasks(const lh_scenario &scenario, const cli::CliOptions &o) {
  if (o.tags.empty() && o.exclude_tags.empty()) return "";
  for (uint32_t i = 0; i < scenario.class_count; ++i) {
    const lh_user_class *cls = scenario.classes[i];
    if (cls->size < offsetof(lh_user_class, describe_tasks) + sizeof(cls->describe_tasks) || !cls->describe_tasks)
      return "";
    bool runnable = false;  // a task, not just a TaskSet emptied by the filter
    auto visit = [](void *ud, const lh_task_info *task) { *static_cast<bool *>(ud) |= !task->is_task_set; };
    if (cls->describe_tasks(cls, visit, &runnable) != nullptr || runnable) return "";
  }
  std::string filter = o.tags.empty() ? "" : "--tags " + join(o.tags);
  if (!o.exclude_tags.empty()) filter += (filter.empty() ? "" : " and ") + ("--exclude-tags " + join(o.exclude_tags));
  return fmt::format("{} leave{} no task to run in any user class (check the tag names: loadhost -f {} -l "
                     "lists the tasks)",
                     filter, o.tags.empty() || o.exclude_tags.empty() ? "s" : "", o.scenario);
}

// SIGINT/SIGTERM are blocked in every thread and taken here: the first stops
// the test gracefully (reports are still written) and quits, a second one
// exits now. Before the control thread runs (loading, compiling) the first
// one exits at once.
std::atomic<boost::asio::io_context *> g_control{nullptr};
std::function<void(std::string)> g_on_signal;  // [control-thread]; set before g_control

void start_signal_thread() {
  std::thread([] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int count = 0;
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      boost::asio::io_context *control = g_control.load();
      if (!control || ++count > 1) _exit(128 + sig);
      std::fprintf(stderr, "\nloadhost: %s received, stopping (again to exit at once)\n",
                   sig == SIGINT ? "SIGINT" : "SIGTERM");
      std::string reason = sig == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)";
      boost::asio::post(*control, [reason] { g_on_signal(reason); });
    }
  }).detach();
}

// The web UI's server settings, and the warning Locust lacks: a UI bound
// beyond loopback without credentials lets anyone who reaches it run tests.
web::ServerConfig web_config(const cli::CliOptions &o) {
  web::ServerConfig c{o.web_host, o.web_port, o.web_auth, o.tls_cert, o.tls_key};
  bool loopback = o.web_host.starts_with("127.") || o.web_host == "::1" || o.web_host == "localhost";
  if (!loopback && o.web_auth.empty())
    std::fprintf(stderr,
                 "loadhost: warning: the web UI listens on %s without --web-auth: anyone who can reach "
                 "this port can start and stop tests\n",
                 o.web_host.c_str());
  return c;
}

// A worker: no UI, no reports (the master has them); it runs until the
// master quits, the master is lost, or a signal.
int run_worker(core::Engine &engine, const lh_scenario &scenario, const cli::CliOptions &o,
               const core::RunOptions &run, boost::asio::io_context &control) {
  distributed::WorkerConfig config;
  if (std::string e = cli::worker_config(o, config); !e.empty()) {
    std::fprintf(stderr, "loadhost: %s\n", e.c_str());
    return 2;
  }
  distributed::Worker worker(engine, scenario, config, run, control);
  int exit_code = 0;
  worker.on_exit = [&](int code, const std::string &why) {
    exit_code = code;
    std::fprintf(stderr, "loadhost: worker %s: %s\n", code ? "failed" : "done", why.c_str());
    control.stop();
  };
  g_on_signal = [&](const std::string &reason) { worker.shutdown(reason); };
  g_control = &control;
  if (std::string e = worker.start(); !e.empty()) {
    std::fprintf(stderr, "loadhost: %s\n", e.c_str());
    return 2;
  }
  control.run();
  g_control = nullptr;
  engine.hooks().fire(LH_HOOK_QUITTING);
  if (std::optional<int> code = engine.exit_code()) return *code;  // the scenario's (run_control.h)
  return exit_code;
}

}  // namespace

int main(int argc, char **argv) {
  // Block the stop signals before any thread starts (a plugin's init may
  // start threads), so only the signal thread receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  start_signal_thread();

  core::raise_open_file_limit();  // a socket per user: the soft limit is often 1024
  core::install_crash_report();   // a crashing scenario says where, in one line

  // Plugins first: they add command-line options (and --help lists them).
  cli::InstallLayout layout = cli::find_install_layout();
  core::Engine engine(core::EngineConfig{});
  const std::vector<std::string> named_plugins = cli::prescan_plugins(argc, argv);
  if (std::string e = load_plugins(engine, named_plugins, layout); !e.empty()) {
    std::fprintf(stderr, "loadhost: %s\n", e.c_str());
    return 2;
  }
  const std::vector<cli::PluginOption> options =
      plugin_options(engine.plugins(), named_plugins, cli::plugin_search_dirs(layout));
  if (argc >= 2 && std::string_view(argv[1]) == "help") return help_command(argc, argv, engine.plugins(), options);
  // The scenario next, before the full parse: its own options are flags
  // too (Locust's init_command_line_parser), and `-f shop.cpp --help`
  // lists them. It is initialised before the run options are known, and
  // reads them when a test starts.
  lh_scenario plugin_quick{};
  std::vector<cli::PluginOption> all_options = options;
  bool scenario_loaded = false;
  if (std::string named = cli::prescan_scenario(argc, argv); !named.empty()) {
    cli::CliOptions first;
    first.scenario = named;
    if (std::string e = load_scenario(engine, first, layout, plugin_quick); !e.empty()) {
      std::fprintf(stderr, "loadhost: %s\n", e.c_str());
      return 2;
    }
    scenario_loaded = true;
    add_scenario_options(*engine.plugins().scenario(), all_options);
  }
  int exit_code = 0;
  auto parsed = cli::parse(argc, argv, all_options, exit_code);
  if (!parsed) return exit_code;
  const cli::CliOptions &o = *parsed;
  if (!o.logfile.empty()) {
    if (std::string e = redirect_log(o.logfile); !e.empty()) {
      std::fprintf(stderr, "loadhost: %s\n", e.c_str());
      return 2;
    }
  }
  engine.configure(engine_config(o));

  if (std::string e = scenario_loaded ? "" : load_scenario(engine, o, layout, plugin_quick); !e.empty()) {
    std::fprintf(stderr, "loadhost: %s\n", e.c_str());
    return 2;
  }
  const lh_scenario &loaded = plugin_quick.class_count ? plugin_quick : *engine.plugins().scenario();
  if (loaded.class_count == 0) {
    std::fprintf(stderr, "loadhost: scenario '%s' defines no user class\n",
                 engine.plugins().scenario_source().c_str());
    return 2;
  }
  if (o.list) {
    std::string text = cli::list_user_classes(loaded);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  cli::SelectedScenario selected;  // `loadhost -f shop.cpp Shopper`: only those classes
  if (std::string e = cli::select_user_classes(loaded, o.user_classes, o.scenario, selected); !e.empty()) {
    std::fprintf(stderr, "loadhost: %s\n", e.c_str());
    return 2;
  }
  const lh_scenario &scenario = selected.scenario;
  if (o.show_task_ratio || o.show_task_ratio_json) {
    uint32_t users = o.users_given ? o.users : 0;
    std::string text = o.show_task_ratio_json ? cli::task_ratio_json(scenario, users)
                                              : cli::task_ratio_text(scenario, users);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }

  if (std::string e = check_tags_leave_tasks(scenario, o); !e.empty()) {
    std::fprintf(stderr, "loadhost: %s\n", e.c_str());
    return 2;
  }
  std::vector<thresholds::Threshold> thresholds;  // checked here, before any user starts
  if (std::string e = cli::collect_thresholds(o, loaded, engine.plugins().scenario_source(), thresholds);
      !e.empty()) {
    std::fprintf(stderr, "loadhost: %s\n", e.c_str());
    return 2;
  }
  if (o.worker && !o.thresholds.empty())
    std::fprintf(stderr, "loadhost: --threshold is ignored on a worker: the master evaluates thresholds\n");

  core::RunOptions run;
  run.users = o.users;
  run.spawn_rate = o.spawn_rate ? *o.spawn_rate : (o.url.empty() ? 1.0 : 0.0);
  run.run_time_s = o.run_time_s ? o.run_time_s : (o.url.empty() ? std::nullopt : std::optional<double>(10.0));
  run.stop_timeout_ns = uint64_t(o.stop_timeout_s * 1e9);
  run.arrival = arrival_for(o);
  // With --arrival-stages and no -t the test ends after the last stage.
  if (!o.arrival_stages.empty() && !o.run_time_s) run.run_time_s = run.arrival.plan.duration_s();
  if (std::string e = core::split_open_classes(scenario, run.arrival).error; !e.empty()) {
    std::fprintf(stderr, "loadhost: %s\n", e.c_str());
    return 2;
  }
  std::string shape_error;
  run.shape = shape_for(o, scenario, shape_error);
  if (!shape_error.empty()) {
    std::fprintf(stderr, "loadhost: %s\n", shape_error.c_str());
    return 2;
  }

  engine.hooks().fire(LH_HOOK_INIT);
  boost::asio::io_context control;
  if (o.worker) return run_worker(engine, scenario, o, run, control);

  cli::TestDriver driver(engine, scenario, o, run, control);
  driver.set_thresholds(std::move(thresholds));
  std::optional<distributed::Master> master;
  boost::asio::steady_timer expect_workers_timer(control);
  bool waiting_for_workers = false;
  bool workers_missing = false;  // --expect-workers-max-wait ran out: exit 1, as Locust
  if (o.master) {
    distributed::MasterConfig config;
    std::string e = cli::master_config(o, config);
    if (e.empty()) {
      master.emplace(engine, scenario, config, control);
      e = master->listen();
    }
    if (!e.empty()) {
      std::fprintf(stderr, "loadhost: %s\n", e.c_str());
      return 2;
    }
    std::fprintf(stderr, "loadhost: master listening on %s:%u for workers (loadhost --worker or locust --worker)\n",
                 o.master_bind_host.c_str(), unsigned(master->port()));
    driver.make_run = [&](const core::RunOptions &options) { return master->make_run(options); };
    driver.workers = [&] { return master->workers_json(); };
  }
  const bool with_ui = !o.headless && o.url.empty();  // quick mode is headless by nature
  std::optional<web::WebUi> ui;
  bool quitting = false;
  auto quit = [&] {
    quitting = true;
    if (master) master->quit_workers();  // workers leave with their master, UI or not (ZeroMQ flushes on close)
    if (ui) ui->close();
    // Headless and alone, the control loop returns by itself once the test
    // has ended; a UI's keep-alive connections or a master's socket would hold it.
    if (ui || master) control.stop();
  };
  boost::asio::steady_timer autoquit(control);
  if (with_ui) {
    ui.emplace(control, web_config(o), driver, scenario, o);
    if (std::string e = ui->listen(); !e.empty()) {
      std::fprintf(stderr, "loadhost: %s\n", e.c_str());
      return 2;
    }
    std::fprintf(stderr, "loadhost: web UI at %s (open it in a browser; Ctrl-C quits)\n", ui->url().c_str());
    driver.on_update = [&] { ui->push(); };
    driver.on_finished = [&] {
      if (quitting) {
        quit();
      } else if (o.autoquit_s) {
        autoquit.expires_after(core::seconds_as_duration(*o.autoquit_s));
        autoquit.async_wait([&](boost::system::error_code ec) {
          if (!ec && !driver.busy()) quit();
        });
      }
    };
  }
  g_on_signal = [&](const std::string &reason) {
    if (driver.busy()) {
      quitting = true;
      driver.stop(reason);  // quits once the reports are written
    } else {
      quit();
    }
  };
  g_control = &control;
  auto start_test = [&] {
    std::string e = driver.start(driver.defaults());
    if (!e.empty()) std::fprintf(stderr, "loadhost: %s\n", e.c_str());
  };
  // A worker's state change reaches the page within 100 ms, however many
  // change at once (1,000 workers spawning make one push, not 2,000).
  boost::asio::steady_timer workers_push(control);
  bool workers_push_armed = false;
  std::function<void()> push_workers_soon = [&] {
    if (!ui || workers_push_armed) return;
    workers_push_armed = true;
    workers_push.expires_after(std::chrono::milliseconds(100));
    workers_push.async_wait([&](boost::system::error_code ec) {
      workers_push_armed = false;
      if (!ec && ui) ui->push();
    });
  };
  if (master) {
    // The master is up until it quits: a headless one quits (and its
    // workers with it) when its test ends.
    if (!with_ui) driver.on_finished = quit;
    if (!with_ui || o.autostart) {
      // Locust's --expect-workers: start once that many workers are in.
      waiting_for_workers = true;
      std::fprintf(stderr, "loadhost: waiting for %u worker%s\n", o.expect_workers, o.expect_workers == 1 ? "" : "s");
      master->on_workers_changed = [&] {
        push_workers_soon();
        if (waiting_for_workers && master->ready_count() >= o.expect_workers) {
          waiting_for_workers = false;
          expect_workers_timer.cancel();
          start_test();
        }
      };
      if (o.expect_workers_max_wait_s) {
        expect_workers_timer.expires_after(core::seconds_as_duration(*o.expect_workers_max_wait_s));
        expect_workers_timer.async_wait([&](boost::system::error_code ec) {
          if (ec || !waiting_for_workers) return;
          waiting_for_workers = false;
          workers_missing = true;
          std::fprintf(stderr, "loadhost: only %u of %u workers connected within %g s (--expect-workers-max-wait); no test ran\n",
                       master->ready_count(), o.expect_workers, *o.expect_workers_max_wait_s);
          quit();
        });
      }
    } else {
      master->on_workers_changed = push_workers_soon;
    }
  } else if (!with_ui || o.autostart) {
    start_test();
  }
  control.run();  // a signal from here on is a stop: the reports get written
  g_control = nullptr;

  engine.hooks().fire(LH_HOOK_QUITTING);
  const stats::StatsTable &table = driver.stats();
  const stats::StatsEntry &total = table.total();
  if (!engine.failure().empty()) return 2;  // it could not run as given: the stop line said why
  if (workers_missing) return 1;
  if (total.num_requests() > 0 && total.num_failures() == total.num_requests()) {
    auto failures = table.sorted_failures();
    const stats::Failure *top = nullptr;
    for (const auto *f : failures)
      if (!top || f->occurrences_ > top->occurrences_) top = f;
    if (top)
      std::fprintf(stderr, "loadhost: every request failed; most often: %s (%llu times)\n",
                   top->error_.c_str(), static_cast<unsigned long long>(top->occurrences_));
  }
  // The scenario's own choice (run_control.h), as Locust's
  // environment.process_exit_code: it wins over what the results say.
  if (std::optional<int> code = engine.exit_code()) return *code;
  // A failed threshold (docs/thresholds.md) wins over failed requests, as
  // k6's: the gate is what CI asked about.
  if (driver.thresholds_failed()) return kThresholdsFailedExitCode;
  if (!driver.reports_ok()) return 1;
  // Failed requests or exceptions in user code, as Locust's runner.errors
  // and runner.exceptions.
  if (total.num_failures() > 0 || !table.sorted_exceptions().empty()) return o.exit_code_on_error;
  return 0;
}
