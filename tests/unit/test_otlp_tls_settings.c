/* test_otlp_tls_settings.c: the OTLP exporters' transport security
 * settings (specification, "OTLP Exporter Configuration"): Insecure,
 * Certificate File, Client Certificate File and Client Key File, read from
 * OTEL_EXPORTER_OTLP_* with the per-signal variables winning; an exporter
 * whose certificate or key file cannot be read is refused with a
 * diagnostic naming the file, as is a client certificate without its key;
 * a gRPC endpoint may have no scheme, an HTTP one may not; and otel_sdk_init
 * with one signal's certificate missing still sets up the other signals;
 * headers sent in cleartext to another machine are warned about.
 * The connection itself is tested against a real TLS server in
 * tests/integration/otlp_tls.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "otel/exporter_otlp.h"
#include "otel/sdk.h"
#include "otlp_client.h"

extern char **environ;

static char warnings[8192];

static void collect(otel_diag_level_t level, const char *message, void *user_data) {
  (void)user_data;
  if (level < OTEL_DIAG_WARN) return;
  size_t used = strlen(warnings);
  snprintf(warnings + used, sizeof warnings - used, "%s\n", message);
}

static char pem_path[64]; /* a readable file (its content is not checked before a handshake) */

static int setup(void **state) {
  (void)state;
  for (;;) { /* unsetenv changes environ: start over after each */
    char **e = environ;
    while (*e && strncmp(*e, "OTEL_", 5)) e++;
    if (!*e) break;
    char name[256];
    size_t n = strcspn(*e, "=");
    snprintf(name, sizeof name, "%.*s", (int)n, *e);
    unsetenv(name);
  }
  warnings[0] = '\0';
  otel_set_error_handler(collect, NULL);
  snprintf(pem_path, sizeof pem_path, "/tmp/test_otlp_tls_XXXXXX");
  int fd = mkstemp(pem_path);
  if (fd < 0) return -1;
  const char text[] = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
  ssize_t w = write(fd, text, sizeof text - 1);
  close(fd);
  return w == (ssize_t)(sizeof text - 1) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  unlink(pem_path);
  otel_set_error_handler(NULL, NULL);
  return 0;
}

static void test_tls_defaults_are_secure_with_no_files(void **state) {
  (void)state;
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  assert_false(o.insecure);
  assert_string_equal(o.certificate, "");
  assert_string_equal(o.client_certificate, "");
  assert_string_equal(o.client_key, "");
}

static void test_tls_per_signal_variables_win(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", "/generic/ca.pem", 1);
  setenv("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/generic/client.pem", 1);
  setenv("OTEL_EXPORTER_OTLP_CLIENT_KEY", "/generic/client.key", 1);
  setenv("OTEL_EXPORTER_OTLP_INSECURE", "false", 1);
  setenv("OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE", "/logs/ca.pem", 1);
  setenv("OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE", "/logs/client.pem", 1);
  setenv("OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY", "/logs/client.key", 1);
  setenv("OTEL_EXPORTER_OTLP_LOGS_INSECURE", "TRUE", 1);
  otel_otlp_options_t t, l;
  otel_otlp_options_init(&t, OTEL_SIGNAL_TRACES);
  otel_otlp_options_init(&l, OTEL_SIGNAL_LOGS);
  assert_string_equal(t.certificate, "/generic/ca.pem");
  assert_string_equal(t.client_certificate, "/generic/client.pem");
  assert_string_equal(t.client_key, "/generic/client.key");
  assert_false(t.insecure);
  assert_string_equal(l.certificate, "/logs/ca.pem");
  assert_string_equal(l.client_certificate, "/logs/client.pem");
  assert_string_equal(l.client_key, "/logs/client.key");
  assert_true(l.insecure);
  assert_string_equal(warnings, "");
}

static otel_err_t create(otel_otlp_protocol_t protocol, const char *endpoint, const char *ca,
                         const char *cert, const char *key) {
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  o.protocol = protocol;
  snprintf(o.endpoint, sizeof o.endpoint, "%s", endpoint);
  snprintf(o.certificate, sizeof o.certificate, "%s", ca);
  snprintf(o.client_certificate, sizeof o.client_certificate, "%s", cert);
  snprintf(o.client_key, sizeof o.client_key, "%s", key);
  otel__otlp_client_t *c = NULL;
  otel_err_t err = otel__otlp_client_create(&o, &c);
  if (!err) assert_non_null(c);
  else assert_null(c);
  otel__otlp_client_destroy(c);
  return err;
}

static void test_tls_unreadable_file_refuses_the_exporter(void **state) {
  (void)state;
  const otel_otlp_protocol_t protocols[] = {OTEL_OTLP_PROTOCOL_GRPC, OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF};
  for (int i = 0; i < 2; i++) {
    warnings[0] = '\0';
    assert_int_equal(create(protocols[i], "https://127.0.0.1:9", "/no/such/ca.pem", "", ""), OTEL_EINVAL);
    assert_non_null(strstr(warnings, "/no/such/ca.pem"));
    warnings[0] = '\0';
    assert_int_equal(create(protocols[i], "https://127.0.0.1:9", "", pem_path, "/no/such/client.key"),
                     OTEL_EINVAL);
    assert_non_null(strstr(warnings, "/no/such/client.key"));
    warnings[0] = '\0';
    assert_int_equal(create(protocols[i], "https://127.0.0.1:9", "", pem_path, ""), OTEL_EINVAL);
    assert_non_null(strstr(warnings, "go together"));
    assert_int_equal(create(protocols[i], "https://127.0.0.1:9", pem_path, pem_path, pem_path), OTEL_OK);
  }
}

static void test_tls_endpoint_without_scheme_is_for_grpc_only(void **state) {
  (void)state;
  assert_int_equal(create(OTEL_OTLP_PROTOCOL_GRPC, "127.0.0.1:9", "", "", ""), OTEL_OK);
  assert_int_equal(create(OTEL_OTLP_PROTOCOL_GRPC, "localhost:9", pem_path, "", ""), OTEL_OK);
  assert_int_equal(create(OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF, "127.0.0.1:9/v1/traces", "", "", ""),
                   OTEL_EINVAL);
  assert_int_equal(create(OTEL_OTLP_PROTOCOL_GRPC, "ftp://127.0.0.1:9", "", "", ""), OTEL_EINVAL);
  assert_int_equal(create(OTEL_OTLP_PROTOCOL_GRPC, "", "", "", ""), OTEL_EINVAL);
}

static void with_header(const char *endpoint, bool insecure) {
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  snprintf(o.endpoint, sizeof o.endpoint, "%s", endpoint);
  o.insecure = insecure;
  snprintf(o.headers[0].key, sizeof o.headers[0].key, "api-key");
  snprintf(o.headers[0].value, sizeof o.headers[0].value, "secret");
  o.header_count = 1;
  otel__otlp_client_t *c = NULL;
  assert_int_equal(otel__otlp_client_create(&o, &c), OTEL_OK);
  otel__otlp_client_destroy(c);
}

/* Headers (often credentials) in cleartext to another machine are warned
 * about; to this machine or over TLS they are not. */
static void test_tls_cleartext_headers_to_another_host_warn(void **state) {
  (void)state;
  with_header("http://collector.example:4317", false);
  assert_non_null(strstr(warnings, "cleartext to http://collector.example:4317"));
  warnings[0] = '\0';
  with_header("collector.example:4317", true);
  assert_non_null(strstr(warnings, "cleartext"));
  warnings[0] = '\0';
  with_header("https://collector.example:4317", false);
  with_header("collector.example:4317", false);
  with_header("http://localhost:4317", false);
  with_header("http://127.0.0.1:4317", false);
  with_header("http://[::1]:4317", false);
  assert_string_equal(warnings, "");
}

/* One signal's unusable certificate turns that signal's export off, not the
 * SDK: the others are set up and otel_sdk_init succeeds. */
static void test_tls_unreadable_file_turns_off_only_its_signal(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://127.0.0.1:9", 1);
  const char *signals[] = {"TRACES", "METRICS", "LOGS"};
  for (int i = 0; i < 3; i++) {
    warnings[0] = '\0';
    char name[64];
    snprintf(name, sizeof name, "OTEL_EXPORTER_OTLP_%s_CERTIFICATE", signals[i]);
    setenv(name, "/no/such/ca.pem", 1);
    otel_sdk_t *sdk = NULL;
    assert_int_equal(otel_sdk_init(NULL, &sdk), OTEL_OK);
    assert_non_null(sdk);
    assert_non_null(strstr(warnings, "/no/such/ca.pem"));
    assert_non_null(otel_sdk_tracer(sdk, "t", NULL));
    assert_non_null(otel_sdk_logger(sdk, "t", NULL));
    assert_non_null(otel_sdk_meter(sdk, "t", NULL));
    (void)otel_sdk_shutdown(sdk, 100); /* nothing listens there: its result does not matter here */
    unsetenv(name);
  }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_tls_defaults_are_secure_with_no_files),
      T(test_tls_per_signal_variables_win),
      T(test_tls_unreadable_file_refuses_the_exporter),
      T(test_tls_endpoint_without_scheme_is_for_grpc_only),
      T(test_tls_unreadable_file_turns_off_only_its_signal),
      T(test_tls_cleartext_headers_to_another_host_warn),
  };
  return cmocka_run_group_tests_name("otlp_tls_settings", tests, NULL, NULL);
}
