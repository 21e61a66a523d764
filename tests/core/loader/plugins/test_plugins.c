/* Deliberately broken plugins for the loader's error cases. Each is built
 * into its own .so with one of the LH_TEST_* macros defined. */
#include <loadhost/loadhost.h>

#include <stddef.h>

static const char *init_ok(const lh_host *host, const char *path) {
  (void)host;
  (void)path;
  return NULL;
}
static const char *init_fails(const lh_host *host, const char *path) {
  (void)host;
  (void)path;
  return "cannot reach the license server";
}
static void deinit(void) {}
static const void *no_factory(const char *id) {
  (void)id;
  return NULL;
}

#if defined(LH_TEST_NO_ENTRY)
LH_EXPORT int not_an_entry = 1;
#elif defined(LH_TEST_WRONG_MAJOR)
LH_EXPORT const lh_entry loadhost_entry = {{LH_ABI_VERSION_MAJOR + 1, 0}, init_ok, deinit, no_factory};
#elif defined(LH_TEST_FAILING_INIT)
LH_EXPORT const lh_entry loadhost_entry = {{LH_ABI_VERSION_MAJOR, LH_ABI_VERSION_MINOR}, init_fails, deinit, no_factory};
#elif defined(LH_TEST_NO_FACTORY)
LH_EXPORT const lh_entry loadhost_entry = {{LH_ABI_VERSION_MAJOR, LH_ABI_VERSION_MINOR}, init_ok, deinit, no_factory};
#endif
