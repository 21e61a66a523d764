// The scenario's user classes as the command line sees them: picked by name
// (`loadhost -f shop.cpp Shopper`), listed (-l), and their task ratios
// (--show-task-ratio, --show-task-ratio-json) in Locust's formats, from
// what each class reports through lh_user_class.describe_tasks.
//
// Thread: the control thread, before any test (describing builds users in
// the scenario, on this thread, with no loop running them).
#pragma once

#include <loadhost/scenario.h>

#include <string>
#include <vector>

namespace loadhost::cli {

// A scenario narrowed to some of its classes; owns the class table the
// lh_scenario points into, so it must outlive every use of `scenario`.
struct SelectedScenario {
  lh_scenario scenario{};
  std::vector<const lh_user_class *> classes;
};

// Keeps the classes named (all when `names` is empty), in the scenario's
// order. Returns "" or one line naming the unknown class and the known ones.
std::string select_user_classes(const lh_scenario &scenario, const std::vector<std::string> &names,
                                const std::string &source, SelectedScenario &out);

// -l: "Available Users:" and a line per class (Locust's), with its weight and
// tasks.
std::string list_user_classes(const lh_scenario &scenario);

// --show-task-ratio: Locust's two tables, per class and in total. `users`:
// -u when given (class shares as the dispatcher would spawn that many),
// else 0 (one user per unit of weight, as Locust without -u).
std::string task_ratio_text(const lh_scenario &scenario, uint32_t users);
// --show-task-ratio-json: {"per_class": ..., "total": ...}, as Locust's.
std::string task_ratio_json(const lh_scenario &scenario, uint32_t users);

}  // namespace loadhost::cli
