// loadhost C++ SDK — the scenario entry: turns user classes written in C++
// into the C ABI's scenario tables.
//
//   LOADHOST_SCENARIO(Shopper, Admin);   // once per scenario, at file scope
//
// Class attributes, all optional static members of a user class:
//   static constexpr const char *name = "Shopper";   (default: the type name)
//   static constexpr uint32_t weight = 3;            (default 1)
//   static constexpr uint32_t fixed_count = 2;       (default 0: by weight)
//   static constexpr const char *host = "http://127.0.0.1:8080";
// The open model for this class (docs/workload-models.md), by default:
//   static constexpr double arrival_rate = 100;        (iterations a second; 0: closed)
//   static constexpr uint32_t pre_allocated_users = 10; (default: rate x 1 s)
//   static constexpr uint32_t max_users = 100;          (default: pre-allocated)
//
// A load shape:  struct Ramp : loadhost::LoadShape { ... };  LOADHOST_SHAPE(Ramp);
// Event hooks:   LOADHOST_ON(LH_HOOK_TEST_START, [](const lh_hook_args &) { ... });
// Own options:   LOADHOST_OPTION("checkout-ratio", "0.25", "Share of shoppers who pay");
//                LOADHOST_FLAG("skip-login", "Do not log in");   then option("skip-login")
// CI gates:      LOADHOST_THRESHOLD("p(95)<300ms");  LOADHOST_THRESHOLD("GET /cart: fail_ratio<0.01");
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loadhost/http.hpp"

namespace loadhost {

struct ShapeTick {
  uint32_t users = 0;
  double spawn_rate = 1.0;
  // The stage's user classes by name (Locust's 3-tuple tick); empty = all.
  // Users of the other classes stop; new users come from these, by weight.
  std::vector<std::string> user_classes = {};
  // The open model (docs/workload-models.md): > 0 starts this many
  // iterations a second, spread over the classes without a fixed_count,
  // from this tick on (the first tick must give it); `users` then sizes
  // only the closed ones.
  double arrival_rate = 0;
};

// Locust's LoadTestShape: asked once a second; nullopt stops the test.
class LoadShape {
 public:
  virtual ~LoadShape() = default;
  virtual std::optional<ShapeTick> tick(double run_time_s, uint64_t user_count) = 0;
};

namespace detail {

struct HookRegistration {
  lh_hook_kind kind;
  std::function<void(const lh_hook_args &)> fn;
};
inline std::vector<HookRegistration> &hook_registrations() {
  static std::vector<HookRegistration> list;
  return list;
}
inline std::unique_ptr<LoadShape> &shape_instance() {
  static std::unique_ptr<LoadShape> shape;
  return shape;
}
inline std::function<std::unique_ptr<LoadShape>()> &shape_factory() {
  static std::function<std::unique_ptr<LoadShape>()> f;
  return f;
}
inline std::string &shape_name() {
  static std::string name;
  return name;
}

// The scenario's own command-line options (LOADHOST_OPTION, LOADHOST_FLAG).
struct OptionRegistration {
  std::string name, help, default_value;
  bool flag;
};
inline std::vector<OptionRegistration> &option_registrations() {
  static std::vector<OptionRegistration> list;
  return list;
}

// The scenario's thresholds (LOADHOST_THRESHOLD), as written.
inline std::vector<std::string> &threshold_registrations() {
  static std::vector<std::string> list;
  return list;
}

inline std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// --tags / --exclude-tags from the run options, into the filter users apply.
inline void read_tag_filter() {
  g_tag_filter.include = split_list(option("tags"));
  g_tag_filter.exclude = split_list(option("exclude-tags"));
}

// Per user class U: its lh_user_class and the four functions behind it.
template <class U>
struct UserClassTable {
  static std::string class_name() {
    if constexpr (requires { U::name; }) return U::name;
    else return demangle(typeid(U).name());
  }
  static const lh_user_class &get() {
    static const std::string name = class_name();
    static const lh_user_class table = [] {
      lh_user_class c{};
      c.size = sizeof(c);
      c.name = name.c_str();
      c.weight = 1;
      if constexpr (requires { U::weight; }) c.weight = U::weight;
      if constexpr (requires { U::fixed_count; }) c.fixed_count = U::fixed_count;
      if constexpr (requires { U::host; }) c.default_host = U::host;
      c.create = &create;
      c.start = [](void *instance) { static_cast<UserBase *>(instance)->start_life(); };
      c.stop = [](void *instance) { static_cast<UserBase *>(instance)->request_stop(); };
      c.destroy = [](void *instance) { delete static_cast<UserBase *>(instance); };
      c.interrupt = [](void *instance) { static_cast<UserBase *>(instance)->interrupt_life(); };
      c.describe_tasks = &describe_tasks;
      c.run_iteration = [](void *instance) { static_cast<UserBase *>(instance)->run_iteration(); };
      if constexpr (requires { U::arrival_rate; }) c.arrival_rate = U::arrival_rate;
      if constexpr (requires { U::pre_allocated_users; }) c.pre_allocated_users = U::pre_allocated_users;
      if constexpr (requires { U::max_users; }) c.max_users = U::max_users;
      return c;
    }();
    return table;
  }
  // A user built with no host handle (UserBase then takes no timer and
  // opens nothing), its tag filter applied, asked for its tasks, dropped.
  static const char *describe_tasks(const lh_user_class *cls, lh_task_visit_fn visit, void *ud) {
    static std::string why;
    read_tag_filter();  // the scenario may have been initialised before the run options were parsed
    t_constructing = nullptr;
    t_constructing_default_host = cls->default_host;
    try {
      std::unique_ptr<U> u(new U());
      t_constructing_owner = nullptr;
      t_constructing_default_host = nullptr;
      u->setup_after_construction();
      u->describe(0, visit, ud);
      return nullptr;
    } catch (const std::exception &e) {
      why = e.what();
    } catch (...) {
      why = "unknown exception in the constructor";
    }
    t_constructing_owner = nullptr;
    t_constructing_default_host = nullptr;
    return why.c_str();
  }
  static void *create(const lh_user_class *cls, lh_user *user, lh_str *error) {
    static thread_local std::string why;
    t_constructing = user;
    t_constructing_default_host = cls->default_host;
    try {
      auto *u = new U();
      t_constructing = nullptr;
      t_constructing_owner = nullptr;
      t_constructing_default_host = nullptr;
      u->setup_after_construction();
      return static_cast<UserBase *>(u);
    } catch (const std::exception &e) {
      why = e.what();
    } catch (...) {
      why = "unknown exception in the constructor";
    }
    t_constructing = nullptr;
    t_constructing_owner = nullptr;
    t_constructing_default_host = nullptr;
    *error = str(why);
    return nullptr;
  }
};

template <class... Users>
struct ScenarioEntry {
  static const char *init(const lh_host *h, const char *) {
    g_host = h;
    read_tag_filter();
    read_iteration_limit();
    try {
      if (shape_factory()) shape_instance() = shape_factory()();
      // The host may load a scenario before it parses the command line
      // (the scenario's own options are among the flags): the tags are
      // read again when a test starts, before any user is made.
      h->hook_subscribe(h, LH_HOOK_TEST_START, [](void *, const lh_hook_args *) {
            read_tag_filter();
            read_iteration_limit();
          }, nullptr);
      for (auto &reg : hook_registrations())
        h->hook_subscribe(h, reg.kind, &ScenarioEntry::on_hook, &reg);
    } catch (const std::exception &e) {
      static std::string why;
      why = e.what();
      return why.c_str();
    }
    return nullptr;
  }
  static void deinit() {
    shape_instance().reset();
    g_host = nullptr;
  }
  static void on_hook(void *ud, const lh_hook_args *args) {
    try {
      static_cast<HookRegistration *>(ud)->fn(*args);
    } catch (const std::exception &e) {
      log(std::string("event hook failed: ") + e.what(), LH_LOG_ERROR);
    } catch (...) {
      log("event hook failed", LH_LOG_ERROR);
    }
  }
  static void shape_tick(double t, uint64_t users, lh_shape_tick *out) {
    std::optional<ShapeTick> tick;
    try {
      tick = shape_instance()->tick(t, users);
    } catch (const std::exception &e) {
      log(std::string("load shape failed, stopping: ") + e.what(), LH_LOG_ERROR);
    }
    out->stop = !tick;
    if (tick) {
      out->users = tick->users;
      out->spawn_rate = tick->spawn_rate;
      if (out->size >= offsetof(lh_shape_tick, arrival_rate) + sizeof(out->arrival_rate))
        out->arrival_rate = tick->arrival_rate;
      else if (tick->arrival_rate > 0)
        log("this loadhost is older than ABI 1.3: the load shape's arrival_rate is ignored", LH_LOG_WARNING);
      // The names stay valid until the next tick (scenario.h).
      static std::vector<std::string> names;
      static std::vector<const char *> pointers;
      names = tick->user_classes;
      pointers.clear();
      for (const auto &n : names) pointers.push_back(n.c_str());
      if (out->size >= offsetof(lh_shape_tick, class_names) + sizeof(out->class_names)) {
        out->class_count = uint32_t(pointers.size());
        out->class_names = pointers.empty() ? nullptr : pointers.data();
      } else if (!names.empty()) {
        log("this loadhost is older than ABI 1.2: the load shape's user classes are ignored", LH_LOG_WARNING);
      }
    }
  }
  // The scenario's own options as the C table (options.h); null if none.
  static const lh_plugin_options *options_table() {
    static std::vector<lh_option_spec> specs;
    static lh_plugin_options table{};
    if (option_registrations().empty()) return nullptr;
    if (specs.empty()) {
      for (const OptionRegistration &o : option_registrations()) {
        lh_option_spec spec{};
        spec.size = sizeof(spec);
        spec.name = o.name.c_str();
        spec.value_name = o.flag ? nullptr : "VALUE";
        spec.help = o.help.c_str();
        spec.default_value = o.flag || o.default_value.empty() ? nullptr : o.default_value.c_str();
        spec.flags = o.flag ? uint32_t(LH_OPTION_FLAG) : 0u;
        specs.push_back(spec);
      }
      table.size = sizeof(table);
      table.option_count = uint32_t(specs.size());
      table.options = specs.data();
    }
    return &table;
  }
  // The scenario's thresholds as the C array (lh_scenario.thresholds).
  static const char *const *threshold_array() {
    static std::vector<const char *> pointers;
    if (pointers.empty())
      for (const std::string &t : threshold_registrations()) pointers.push_back(t.c_str());
    return pointers.empty() ? nullptr : pointers.data();
  }
  static const void *get_factory(const char *id) {
    static const lh_user_class *const classes[] = {&UserClassTable<Users>::get()...};
    static const lh_scenario scenario = [] {
      lh_scenario s{};
      s.size = sizeof(s);
      s.class_count = sizeof...(Users);
      s.classes = classes;
      s.shape_tick = shape_factory() ? &ScenarioEntry::shape_tick : nullptr;
      s.shape_name = shape_factory() ? shape_name().c_str() : nullptr;
      s.options = options_table();
      s.thresholds = threshold_array();
      s.threshold_count = uint32_t(threshold_registrations().size());
      return s;
    }();
    return std::string_view(id) == LH_SCENARIO_FACTORY_ID ? &scenario : nullptr;
  }
  static constexpr lh_entry entry() {
    return lh_entry{{LH_ABI_VERSION_MAJOR, LH_ABI_VERSION_MINOR}, &init, &deinit, &get_factory};
  }
};

template <class S>
struct ShapeRegistrar {
  ShapeRegistrar() {
    shape_factory() = [] { return std::unique_ptr<LoadShape>(new S()); };
    shape_name() = demangle(typeid(S).name());
  }
};

struct OptionRegistrar {
  OptionRegistrar(const char *name, const char *default_value, const char *help, bool flag) {
    option_registrations().push_back(OptionRegistration{name, help ? help : "", default_value ? default_value : "", flag});
  }
};

struct ThresholdRegistrar {
  explicit ThresholdRegistrar(const char *expression) { threshold_registrations().emplace_back(expression); }
};

struct HookRegistrar {
  HookRegistrar(lh_hook_kind kind, std::function<void(const lh_hook_args &)> fn) {
    hook_registrations().push_back(HookRegistration{kind, std::move(fn)});
  }
};

}  // namespace detail

// For protocol plugins written in C++ that bring a quick-mode user
// (lh_plugin_options.quick_user) written with this SDK: call attach_host from
// the plugin's init, then hand out user_class<QuickUser>().
inline void attach_host(const lh_host *h) {
  detail::g_host = h;
  detail::g_tag_filter = {};
}
template <class U>
const lh_user_class *user_class() {
  return &detail::UserClassTable<U>::get();
}

}  // namespace loadhost

#define LOADHOST_CONCAT_(a, b) a##b
#define LOADHOST_CONCAT(a, b) LOADHOST_CONCAT_(a, b)

// The scenario's entry, under any symbol name (the host links its built-in
// scenarios under their own names).
#define LOADHOST_SCENARIO_ENTRY(symbol, ...) \
  extern "C" LH_EXPORT const lh_entry symbol = ::loadhost::detail::ScenarioEntry<__VA_ARGS__>::entry()

#define LOADHOST_SCENARIO(...) LOADHOST_SCENARIO_ENTRY(loadhost_entry, __VA_ARGS__)

// The registrars are named by __COUNTER__, not __LINE__, so a header of the
// scenario's own may register hooks or options too (gcc and clang have it).
#define LOADHOST_SHAPE(S) \
  static ::loadhost::detail::ShapeRegistrar<S> LOADHOST_CONCAT(loadhost_shape_, __COUNTER__)

// A command-line option of the scenario's own (Locust's
// init_command_line_parser): `--NAME VALUE`, listed by `loadhost -f FILE
// --help`; option("NAME") gives the value, or the default when not given.
#define LOADHOST_OPTION(name, default_value, help) \
  static ::loadhost::detail::OptionRegistrar LOADHOST_CONCAT(loadhost_option_, __COUNTER__)(name, default_value, help, false)
// A flag (`--NAME`, no value): option("NAME") is "1" when given, else empty.
#define LOADHOST_FLAG(name, help) \
  static ::loadhost::detail::OptionRegistrar LOADHOST_CONCAT(loadhost_option_, __COUNTER__)(name, nullptr, help, true)

// A pass/fail threshold (docs/thresholds.md), as --threshold takes it:
// LOADHOST_THRESHOLD("p(95)<300ms"), LOADHOST_THRESHOLD("GET /cart: p(99)<500ms abort-on-fail").
// The host checks it before the run (a malformed one: exit 2) and exits 99
// when it fails.
#define LOADHOST_THRESHOLD(expression) \
  static ::loadhost::detail::ThresholdRegistrar LOADHOST_CONCAT(loadhost_threshold_, __COUNTER__)(expression)

#define LOADHOST_ON(kind, ...) \
  static ::loadhost::detail::HookRegistrar LOADHOST_CONCAT(loadhost_hook_, __COUNTER__)(kind, __VA_ARGS__)
