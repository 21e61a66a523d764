#include "hosts/loadhost/user_classes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/loader/symbol_name.hpp"

namespace loadhost::cli {

namespace {

// A task as a class reported it, with its TaskSet's tasks below it.
struct TaskNode {
  std::string name;
  std::string label;  // as the class gave it: its .name(), or "#N"
  uint32_t weight = 0;
  bool is_task_set = false;
  std::vector<TaskNode> tasks;
};

struct ClassTasks {
  bool described = false;
  std::string error;            // describe_tasks failed: why
  std::vector<TaskNode> tasks;  // depth 0
};

bool has_describe_tasks(const lh_user_class &c) {
  return c.size >= offsetof(lh_user_class, describe_tasks) + sizeof(c.describe_tasks) && c.describe_tasks;
}

// Two tasks of one holder named after the same function (the linker may
// fold identical functions into one) go back to their own labels: two rows
// must not become one.
void keep_names_apart(std::vector<TaskNode> &tasks) {
  std::vector<bool> clash(tasks.size(), false);
  for (size_t i = 0; i < tasks.size(); ++i) {
    keep_names_apart(tasks[i].tasks);
    for (size_t j = 0; j < tasks.size(); ++j)
      clash[i] = clash[i] || (i != j && tasks[i].name != tasks[i].label && tasks[i].name == tasks[j].name);
  }
  for (size_t i = 0; i < tasks.size(); ++i)
    if (clash[i]) tasks[i].name = tasks[i].label;
}

// Builds the tree from describe_tasks' depth-first visits.
ClassTasks tasks_of(const lh_user_class &c) {
  ClassTasks out;
  if (!has_describe_tasks(c)) return out;
  struct Builder {
    std::vector<TaskNode> *root;
    static void visit(void *ud, const lh_task_info *t) {
      auto *b = static_cast<Builder *>(ud);
      std::vector<TaskNode> *level = b->root;
      for (uint32_t d = 0; d < t->depth && !level->empty(); ++d) level = &level->back().tasks;
      std::string label(t->name.data ? t->name.data : "", t->name.size);
      std::string name = label;
      // A task without .name() is called after its function, as Locust
      // calls it, when the library's symbols tell.
      if (label.starts_with("#") && t->size >= offsetof(lh_task_info, function) + sizeof(t->function)) {
        std::string symbol = core::unqualified_function_name(core::function_symbol(t->function));
        if (!symbol.empty()) name = symbol;
      }
      level->push_back(TaskNode{name, label, t->weight, t->is_task_set, {}});
    }
  } builder{&out.tasks};
  const char *error = c.describe_tasks(&c, &Builder::visit, &builder);
  keep_names_apart(out.tasks);
  out.described = !error;
  if (error) out.error = error;
  return out;
}

// Python's round(): halves to even, as Locust's distribution rounds.
double python_round(double x) { return std::nearbyint(x); }

// Locust's _calc_distribution: users per class for `users` (0: one per
// unit of weight, or 1 with fixed counts), as inspectuser.py computes it.
std::vector<double> class_shares(const lh_scenario &s, uint32_t users) {
  double fixed = 0, total_weight = 0;
  for (uint32_t i = 0; i < s.class_count; ++i) {
    if (s.classes[i]->fixed_count) fixed += s.classes[i]->fixed_count;
    else total_weight += s.classes[i]->weight;
  }
  double n = users ? users : (fixed == 0 ? total_weight : 1);
  double weighted = std::max(0.0, n - fixed);
  std::vector<double> counts;
  double sum = 0;
  for (uint32_t i = 0; i < s.class_count; ++i) {
    const lh_user_class &c = *s.classes[i];
    double count = c.fixed_count ? c.fixed_count : python_round(c.weight / total_weight * weighted);
    counts.push_back(count);
    sum += count;
  }
  if (sum == 0) sum = 1;
  for (double &c : counts) c /= sum;
  return counts;
}

// Locust's _get_task_ratio: a task's share of its holder's picks, times
// its parent's share in the total table.
nlohmann::ordered_json task_ratios(const std::vector<TaskNode> &tasks, bool total, double parent_ratio) {
  parent_ratio = total ? parent_ratio : 1.0;
  double weights = 0;
  for (const TaskNode &t : tasks) weights += t.weight;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const TaskNode &t : tasks) {
    double ratio = weights > 0 ? t.weight * parent_ratio / weights : 0.0;
    if (out.contains(t.name)) ratio += out[t.name]["ratio"].get<double>();  // one name, one row
    nlohmann::ordered_json d = {{"ratio", ratio}};
    if (t.is_task_set) d["tasks"] = task_ratios(t.tasks, total, ratio);
    out[t.name] = d;
  }
  return out;
}

nlohmann::ordered_json ratios(const lh_scenario &s, uint32_t users, bool total) {
  std::vector<double> shares = class_shares(s, users);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (uint32_t i = 0; i < s.class_count; ++i) {
    nlohmann::ordered_json d = {{"ratio", shares[i]}};
    d["tasks"] = task_ratios(tasks_of(*s.classes[i]).tasks, total, shares[i]);
    out[s.classes[i]->name] = d;
  }
  return out;
}

// Locust's _print_task_ratio: " %-10s %-50s", two spaces of indent a level.
void print_ratios(std::string &out, const nlohmann::ordered_json &level, int depth) {
  std::string padding(2 * depth, ' ');
  for (const auto &[name, d] : level.items()) {
    std::string percent = padding + fmt::format("{:<6.1f}", d.value("ratio", 1.0) * 100);
    out += fmt::format(" {:<10} {:<50}\n", percent, padding + name);
    if (d.contains("tasks")) print_ratios(out, d["tasks"], depth + 1);
  }
}

// "browse 3, buy 1, Browse 1 (read 2, back 1)"
std::string task_list(const std::vector<TaskNode> &tasks) {
  std::string out;
  for (const TaskNode &t : tasks) {
    out += (out.empty() ? "" : ", ") + fmt::format("{} {}", t.name, t.weight);
    if (t.is_task_set) out += " (" + (t.tasks.empty() ? std::string("no tasks") : task_list(t.tasks)) + ")";
  }
  return out;
}

}  // namespace

std::string select_user_classes(const lh_scenario &scenario, const std::vector<std::string> &names,
                                const std::string &source, SelectedScenario &out) {
  out.scenario = scenario;
  out.classes.assign(scenario.classes, scenario.classes + scenario.class_count);
  if (names.empty()) return "";
  for (const std::string &name : names) {
    bool known = false;
    for (const lh_user_class *c : out.classes) known = known || name == c->name;
    if (known) continue;
    std::string all;
    for (const lh_user_class *c : out.classes) all += (all.empty() ? "" : ", ") + std::string(c->name);
    return fmt::format("unknown user class '{}': '{}' has {} (loadhost -f {} -l lists them)", name, source, all,
                       source);
  }
  std::erase_if(out.classes, [&](const lh_user_class *c) {
    return std::find(names.begin(), names.end(), c->name) == names.end();
  });
  out.scenario.class_count = uint32_t(out.classes.size());
  out.scenario.classes = out.classes.data();
  return "";
}

std::string list_user_classes(const lh_scenario &scenario) {
  size_t width = 0;
  for (uint32_t i = 0; i < scenario.class_count; ++i) width = std::max(width, std::strlen(scenario.classes[i]->name));
  std::string out = "Available Users:\n";
  for (uint32_t i = 0; i < scenario.class_count; ++i) {
    const lh_user_class &c = *scenario.classes[i];
    ClassTasks tasks = tasks_of(c);
    std::string share = c.fixed_count ? fmt::format("fixed_count {}", c.fixed_count) : fmt::format("weight {}", c.weight);
    std::string listed = !tasks.error.empty()    ? "cannot list its tasks: " + tasks.error
                         : !tasks.described      ? "tasks not listed (built without describe_tasks)"
                         : tasks.tasks.empty()   ? "no tasks"
                                                 : "tasks: " + task_list(tasks.tasks);
    out += fmt::format("    {:<{}}  {}; {}\n", c.name, width, share, listed);
  }
  return out;
}

std::string task_ratio_text(const lh_scenario &scenario, uint32_t users) {
  std::string out = "\n Task ratio per User class\n" + std::string(80, '-') + "\n";
  print_ratios(out, ratios(scenario, users, false), 0);
  out += "\n Total task ratio\n" + std::string(80, '-') + "\n";
  print_ratios(out, ratios(scenario, users, true), 0);
  return out;
}

std::string task_ratio_json(const lh_scenario &scenario, uint32_t users) {
  nlohmann::ordered_json j = {{"per_class", ratios(scenario, users, false)},
                              {"total", ratios(scenario, users, true)}};
  return j.dump(4) + "\n";
}

}  // namespace loadhost::cli
