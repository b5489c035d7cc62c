/* test_otlp_body.c: the reference-counted request body (otlp_body.c) that
 * the gRPC transport hands to gRPC as a slice instead of a copy: the bytes
 * stay readable while any reference is held (the exporter's, a slice's),
 * and go with the last release (a leak or a use after free here is an
 * ASan failure under make test SANITIZE=1); out of memory frees the data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otlp_client.h"

static void test_last_release_frees(void **state) {
  (void)state;
  uint8_t *data = malloc(5);
  memcpy(data, "hello", 5);
  otel__otlp_body_t *b = otel__otlp_body_adopt(data, data, 5);
  assert_non_null(b);
  assert_ptr_equal(b->data, data);
  assert_int_equal(b->len, 5);
  otel__otlp_body_ref(b);     /* a slice's */
  otel__otlp_body_release(b); /* the exporter's, first */
  assert_memory_equal(b->data, "hello", 5);
  assert_int_equal(atomic_load(&b->refs), 1);
  otel__otlp_body_release(b); /* the slice's: frees */
}

static void test_release_null(void **state) {
  (void)state;
  otel__otlp_body_release(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_last_release_frees),
      cmocka_unit_test(test_release_null),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
