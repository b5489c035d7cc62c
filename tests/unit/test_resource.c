/* test_resource.c: the Resource (resource.c) as the specification builds
 * it: the SDK's attributes and unknown_service:<process>, then the
 * program's, then OTEL_RESOURCE_ATTRIBUTES (percent-decoded, trimmed,
 * empty entries skipped, an invalid list ignored as a whole and reported),
 * then OTEL_SERVICE_NAME; merge (the second wins); reference counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otel/resource.h"

static int warnings;

static void count_warnings(otel_diag_level_t level, const char *message, void *user_data) {
  (void)message;
  (void)user_data;
  if (level >= OTEL_DIAG_WARN) warnings++;
}

static int clean_env(void **state) {
  (void)state;
  unsetenv("OTEL_RESOURCE_ATTRIBUTES");
  unsetenv("OTEL_SERVICE_NAME");
  warnings = 0;
  otel_set_error_handler(count_warnings, NULL);
  return 0;
}

static int restore(void **state) {
  (void)state;
  otel_set_error_handler(NULL, NULL);
  return 0;
}

static const char *str(const otel_resource_t *r, const char *key) {
  const otel_attr_t *a = otel_resource_get(r, key);
  return a && a->type == OTEL_ATTR_TYPE_STRING ? a->value.s : NULL;
}

static void test_resource_defaults(void **state) {
  (void)state;
  otel_resource_t *r;
  assert_int_equal(otel_resource_create(NULL, 0, &r), OTEL_OK);
  assert_string_equal(str(r, "telemetry.sdk.name"), "libotel-lite");
  assert_string_equal(str(r, "telemetry.sdk.language"), "c");
  assert_string_equal(str(r, "telemetry.sdk.version"), OTEL_SDK_VERSION);
  assert_string_equal(str(r, "service.name"), "unknown_service:test_resource");
  assert_int_equal(otel_resource_attr_count(r), 4);
  assert_null(otel_resource_attr_at(r, 4));
  otel_resource_release(r);
}

static void test_resource_environment_beats_the_program(void **state) {
  (void)state;
  setenv("OTEL_RESOURCE_ATTRIBUTES",
         " deployment.environment = prod , team=a%20b%2Cc,,service.name=from-attrs", 1);
  otel_attr_t mine[] = {OTEL_ATTR_STR("service.name", "mine"), OTEL_ATTR_STR("team", "mine"),
                        OTEL_ATTR_INT("host.cpus", 2)};
  otel_resource_t *r;
  assert_int_equal(otel_resource_create(mine, 3, &r), OTEL_OK);
  assert_string_equal(str(r, "deployment.environment"), "prod");
  assert_string_equal(str(r, "team"), "a b,c");
  assert_string_equal(str(r, "service.name"), "from-attrs");
  assert_int_equal(otel_resource_get(r, "host.cpus")->value.i, 2);
  otel_resource_release(r);
  setenv("OTEL_SERVICE_NAME", "from-service-name", 1); /* beats both */
  assert_int_equal(otel_resource_create(mine, 3, &r), OTEL_OK);
  assert_string_equal(str(r, "service.name"), "from-service-name");
  otel_resource_release(r);
  assert_int_equal(warnings, 0);
}

static void test_resource_invalid_list_is_ignored_as_a_whole(void **state) {
  (void)state;
  const char *bad[] = {"a=1,novalue", "a=1,=2", "a=%zz", "a=1,b=%4"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    setenv("OTEL_RESOURCE_ATTRIBUTES", bad[i], 1);
    otel_resource_t *r;
    assert_int_equal(otel_resource_create(NULL, 0, &r), OTEL_OK);
    assert_null(otel_resource_get(r, "a")); /* nothing of it applied */
    assert_int_equal(otel_resource_attr_count(r), 4);
    otel_resource_release(r);
  }
  assert_int_equal(warnings, 4);
}

static void test_resource_merge_and_references(void **state) {
  (void)state;
  otel_resource_t *a, *b, *m;
  assert_int_equal(otel_resource_create_empty(&a), OTEL_OK);
  assert_int_equal(otel_resource_attr_count(a), 0);
  otel_attr_t attrs[] = {OTEL_ATTR_STR("k", "from-b"), OTEL_ATTR_BOOL("only.b", true)};
  assert_int_equal(otel_resource_create(attrs, 2, &b), OTEL_OK);
  assert_int_equal(otel_resource_merge(a, b, &m), OTEL_OK);
  assert_string_equal(str(m, "k"), "from-b");
  assert_true(otel_resource_get(m, "only.b")->value.b);
  otel_resource_release(m);
  /* a reference keeps the resource (and its strings) alive */
  assert_ptr_equal(otel_resource_retain(b), b);
  otel_resource_release(b);
  assert_string_equal(str(b, "k"), "from-b");
  otel_resource_release(b);
  otel_resource_release(a);
  otel_resource_release(NULL);
  assert_null(otel_resource_retain(NULL));
}

#define T(f) cmocka_unit_test_setup_teardown(f, clean_env, restore)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_resource_defaults),
      T(test_resource_environment_beats_the_program),
      T(test_resource_invalid_list_is_ignored_as_a_whole),
      T(test_resource_merge_and_references),
  };
  return cmocka_run_group_tests_name("resource", tests, NULL, NULL);
}
