/* test_otlp_edges.c: what the OTLP exporters accept from their edges:
 * OTEL_EXPORTER_OTLP_HEADERS entries with CR/LF or other control characters
 * (or a name that is not a token) are dropped with a message naming the
 * header but not its value, and the other headers are kept, also for
 * options set in code (otlp_options.c); a server's retry hint (RetryInfo,
 * Retry-After) is clamped whatever it says (otlp_retry_hint.c); libcurl
 * errors are retried for network failures and timeouts only
 * (otlp_curl_error.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otel/exporter_otlp.h"
#include "otlp_client.h"
#include "otlp_curl_error.h"
#include "otlp_transport.h"

static char diag_log[4096];

static void capture(otel_diag_level_t level, const char *message, void *user_data) {
  (void)level;
  (void)user_data;
  size_t n = strlen(diag_log);
  snprintf(diag_log + n, sizeof diag_log - n, "%s\n", message);
}

static int setup(void **state) {
  (void)state;
  diag_log[0] = '\0';
  otel_set_error_handler(capture, NULL);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  otel_set_error_handler(NULL, NULL);
  unsetenv("OTEL_EXPORTER_OTLP_HEADERS");
  return 0;
}

static const char *header(const otel_otlp_options_t *o, const char *key) {
  for (size_t i = 0; i < o->header_count; i++)
    if (!strcmp(o->headers[i].key, key)) return o->headers[i].value;
  return NULL;
}

/* Each entry: the variable's value, the headers that must survive (with
 * their values), the one that must be dropped and named in a message. */
static void test_otlp_headers_control_characters_dropped(void **state) {
  (void)state;
  static const struct {
    const char *name, *env, *dropped;
  } cases[] = {
      {"raw CR LF in a value", "a=1,evil=x\r\nInjected: yes,b=2", "evil"},
      {"percent-encoded CR LF", "a=1,evil=x%0D%0AInjected:%20yes,b=2", "evil"},
      {"percent-encoded LF only", "a=1,evil=x%0Ay,b=2", "evil"},
      {"NUL that would cut the value", "a=1,evil=secret%00more,b=2", "evil"},
      {"escape character", "a=1,evil=%1B[31m,b=2", "evil"},
      {"DEL", "a=1,evil=x%7F,b=2", "evil"},
      {"CR LF in the name", "a=1,ev%0D%0Ail=x,b=2", NULL},
      {"space in the name", "a=1,my key=x,b=2", NULL},
      {"colon in the name", "a=1,Host:x=y,b=2", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    diag_log[0] = '\0';
    setenv("OTEL_EXPORTER_OTLP_HEADERS", cases[i].env, 1);
    otel_otlp_options_t o;
    otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
    const char *a = header(&o, "a"), *b = header(&o, "b");
    if (o.header_count != 2 || !a || strcmp(a, "1") || !b || strcmp(b, "2"))
      fail_msg("%s: %zu headers kept, want a=1 and b=2", cases[i].name, o.header_count);
    if (cases[i].dropped &&
        (!strstr(diag_log, "\"evil\"") || !strstr(diag_log, "control character") ||
         !strstr(diag_log, "dropped")))
      fail_msg("%s: no clear message naming the header: %s", cases[i].name, diag_log);
    if (!cases[i].dropped && !strstr(diag_log, "not an HTTP token"))
      fail_msg("%s: no message about the name: %s", cases[i].name, diag_log);
    if (strstr(diag_log, "secret") || strstr(diag_log, "Injected") || strchr(diag_log, '\r') ||
        strchr(diag_log, '\x1b'))
      fail_msg("%s: the message repeats the value or a control character: %s", cases[i].name,
               diag_log);
  }
}

static void test_otlp_headers_tab_and_plain_values_kept(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_HEADERS",
         "authorization=Bearer%20abc,x-tab=a%09b,api-key=k=v~!*,x-utf8=Z%C3%BCrich", 1);
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_LOGS);
  assert_int_equal(o.header_count, 4);
  assert_string_equal(header(&o, "authorization"), "Bearer abc");
  assert_string_equal(header(&o, "x-tab"), "a\tb");
  assert_string_equal(header(&o, "api-key"), "k=v~!*");
  assert_string_equal(header(&o, "x-utf8"), "Z\xc3\xbcrich");
  assert_string_equal(diag_log, "");
}

/* Options filled in code bypass the variable's parser: the client drops
 * the bad header when it is created and keeps the rest. */
static void test_otlp_headers_set_in_code_dropped_at_create(void **state) {
  (void)state;
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  o.protocol = OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF;
  snprintf(o.endpoint, sizeof o.endpoint, "http://127.0.0.1:9/v1/traces");
  snprintf(o.headers[0].key, sizeof o.headers[0].key, "good");
  snprintf(o.headers[0].value, sizeof o.headers[0].value, "1");
  snprintf(o.headers[1].key, sizeof o.headers[1].key, "evil");
  snprintf(o.headers[1].value, sizeof o.headers[1].value, "x\r\nInjected: 1");
  snprintf(o.headers[2].key, sizeof o.headers[2].key, "also-good");
  snprintf(o.headers[2].value, sizeof o.headers[2].value, "2");
  o.header_count = 3;
  otel__otlp_drop_invalid_headers(&o);
  assert_int_equal(o.header_count, 2);
  assert_string_equal(o.headers[0].key, "good");
  assert_string_equal(o.headers[1].key, "also-good");
  assert_non_null(strstr(diag_log, "\"evil\""));
  assert_null(strstr(diag_log, "Injected"));
}

static void test_otlp_retry_hint_clamped(void **state) {
  (void)state;
  static const struct {
    const char *name;
    int64_t seconds, nanos;
    uint32_t want_ms;
  } cases[] = {
      {"1.5 s", 1, 500000000, 1500},
      {"exactly the cap", 60, 0, 60000},
      {"just over the cap", 60, 1000000, 60000},
      {"an hour", 3600, 0, 60000},
      {"seconds*1000 would overflow int64", INT64_MAX / 100, 0, 60000},
      {"INT64_MAX seconds", INT64_MAX, 999999999, 60000},
      {"zero: retry at once", 0, 0, 1},
      {"half a millisecond", 0, 500000, 1},
      {"negative seconds", -5, 0, 1},
      {"INT64_MIN seconds", INT64_MIN, 0, 1},
      {"nanos out of range ignored", 2, 5000000000LL, 2000},
      {"negative nanos ignored", 2, -1, 2000},
      {"Retry-After: 120 (HTTP)", 120, 0, 60000},
      {"Retry-After: 3 (HTTP)", 3, 0, 3000},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint32_t got = otel__otlp_retry_hint_ms(cases[i].seconds, cases[i].nanos);
    if (got != cases[i].want_ms)
      fail_msg("%s: %u ms, want %u", cases[i].name, got, cases[i].want_ms);
  }
}

static void test_otlp_curl_errors_classified(void **state) {
  (void)state;
  static const struct {
    CURLcode rc;
    bool retry;
    otel_err_t err;
    const char *says;
  } cases[] = {
      {CURLE_COULDNT_CONNECT, true, OTEL_ECONNECT, ""},
      {CURLE_COULDNT_RESOLVE_HOST, true, OTEL_ECONNECT, ""},
      {CURLE_OPERATION_TIMEDOUT, true, OTEL_ETIMEDOUT, ""},
      {CURLE_SEND_ERROR, true, OTEL_ECONNECT, ""},
      {CURLE_RECV_ERROR, true, OTEL_ECONNECT, ""},
      {CURLE_GOT_NOTHING, true, OTEL_ECONNECT, ""},
      {CURLE_PARTIAL_FILE, true, OTEL_ECONNECT, ""},
      {CURLE_SSL_CONNECT_ERROR, false, OTEL_EEXPORT, "TLS error, not retried"},
      {CURLE_PEER_FAILED_VERIFICATION, false, OTEL_EEXPORT, "TLS error, not retried"},
      {CURLE_SSL_CACERT_BADFILE, false, OTEL_EEXPORT, "TLS error, not retried"},
      {CURLE_SSL_CERTPROBLEM, false, OTEL_EEXPORT, "TLS error, not retried"},
      {CURLE_URL_MALFORMAT, false, OTEL_ECONFIG, "configuration error, not retried"},
      {CURLE_UNSUPPORTED_PROTOCOL, false, OTEL_ECONFIG, "configuration error, not retried"},
      {CURLE_NOT_BUILT_IN, false, OTEL_ECONFIG, "configuration error, not retried"},
      {CURLE_BAD_FUNCTION_ARGUMENT, false, OTEL_ECONFIG, "configuration error, not retried"},
      {CURLE_OUT_OF_MEMORY, false, OTEL_EEXPORT, "not retried"},
      {CURLE_WEIRD_SERVER_REPLY, false, OTEL_EEXPORT, "not retried"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    otel__otlp_attempt_t a;
    memset(&a, 0, sizeof a);
    otel__otlp_curl_attempt(cases[i].rc, "", &a);
    if (a.retryable != cases[i].retry || a.err != cases[i].err ||
        strncmp(a.message, cases[i].says, strlen(cases[i].says)) != 0)
      fail_msg("curl error %d (%s): retryable %d err %s message \"%s\"; want %d %s \"%s...\"",
               (int)cases[i].rc, curl_easy_strerror(cases[i].rc), a.retryable,
               otel_err_name(a.err), a.message, cases[i].retry, otel_err_name(cases[i].err),
               cases[i].says);
  }
  otel__otlp_attempt_t a;
  memset(&a, 0, sizeof a);
  otel__otlp_curl_attempt(CURLE_SSL_CONNECT_ERROR, "wrong version number", &a);
  assert_string_equal(a.message, "TLS error, not retried: wrong version number");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_otlp_headers_control_characters_dropped, setup, teardown),
      cmocka_unit_test_setup_teardown(test_otlp_headers_tab_and_plain_values_kept, setup, teardown),
      cmocka_unit_test_setup_teardown(test_otlp_headers_set_in_code_dropped_at_create, setup, teardown),
      cmocka_unit_test(test_otlp_retry_hint_clamped),
      cmocka_unit_test(test_otlp_curl_errors_classified),
  };
  return cmocka_run_group_tests_name("otlp_edges", tests, NULL, NULL);
}
