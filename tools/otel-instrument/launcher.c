/* launcher.c: otel-instrument, the counterpart of Python's
 * opentelemetry-instrument. `otel-instrument [options] PROGRAM [ARGS...]`
 * runs PROGRAM with libotel-agent.so preloaded (LD_PRELOAD), which traces
 * its civetweb server and libcurl client with no change to the program.
 *
 * Options are opentelemetry-instrument's, each setting the standard
 * variable it names (--service_name X sets OTEL_SERVICE_NAME=X), as
 * "--name value" or "--name=value"; everything else is read by the agent
 * from the environment. The agent is found next to the launcher, in
 * ../lib/libotel-agent.so, or at $OTEL_INSTRUMENT_AGENT.
 *
 * AddressSanitizer: a program built with ASan aborts unless the ASan
 * runtime is the first library loaded, and an LD_PRELOAD entry comes
 * before the program's own libraries. An ASan build of the launcher
 * (SANITIZE=1, whose agent is an ASan build too) therefore puts its own
 * ASan runtime first in LD_PRELOAD.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct flag {
  const char *name;
  const char *env;
} flags[] = {
    {"service_name", "OTEL_SERVICE_NAME"},
    {"traces_exporter", "OTEL_TRACES_EXPORTER"},
    {"metrics_exporter", "OTEL_METRICS_EXPORTER"},
    {"logs_exporter", "OTEL_LOGS_EXPORTER"},
    {"resource_attributes", "OTEL_RESOURCE_ATTRIBUTES"},
    {"propagators", "OTEL_PROPAGATORS"},
    {"traces_sampler", "OTEL_TRACES_SAMPLER"},
    {"traces_sampler_arg", "OTEL_TRACES_SAMPLER_ARG"},
    {"exporter_otlp_endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT"},
    {"exporter_otlp_protocol", "OTEL_EXPORTER_OTLP_PROTOCOL"},
    {"exporter_otlp_headers", "OTEL_EXPORTER_OTLP_HEADERS"},
};

static void usage(FILE *out) {
  fprintf(out,
          "usage: otel-instrument [options] PROGRAM [ARGS...]\n"
          "Runs PROGRAM with HTTP tracing and metrics for its civetweb server and libcurl\n"
          "client (zero code: libotel-agent.so is preloaded). Configuration is the\n"
          "standard OTEL_* environment; each option sets the variable it names:\n");
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    fprintf(out, "  --%-24s %s\n", flags[i].name, flags[i].env);
  fprintf(out, "  --%-24s this text\n", "help");
}

#if defined(__SANITIZE_ADDRESS__)
static int find_asan(struct dl_phdr_info *info, size_t size, void *out) {
  (void)size;
  if (info->dlpi_name && strstr(info->dlpi_name, "/libasan.so")) {
    snprintf(out, PATH_MAX, "%s", info->dlpi_name);
    return 1;
  }
  return 0;
}
#endif

/* The agent's path: $OTEL_INSTRUMENT_AGENT, else <launcher dir>/../lib. */
static int agent_path(char *out, size_t cap) {
  const char *env = getenv("OTEL_INSTRUMENT_AGENT");
  if (env && *env) {
    snprintf(out, cap, "%s", env);
  } else {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0) {
      fprintf(stderr, "otel-instrument: cannot find itself (/proc/self/exe): %s\n", strerror(errno));
      return -1;
    }
    self[n] = '\0';
    snprintf(out, cap, "%s/../lib/libotel-agent.so", dirname(self));
  }
  if (access(out, R_OK) != 0) {
    fprintf(stderr, "otel-instrument: the agent %s cannot be read: %s\n", out, strerror(errno));
    return -1;
  }
  char *resolved = realpath(out, NULL); /* LD_PRELOAD must not depend on the cwd */
  if (resolved) {
    snprintf(out, cap, "%s", resolved);
    free(resolved);
  }
  return 0;
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
    const char *opt = argv[i] + 2;
    if (!*opt) { /* "--" ends the options */
      i++;
      break;
    }
    if (!strcmp(opt, "help")) {
      usage(stdout);
      return 0;
    }
    const char *eq = strchr(opt, '=');
    size_t len = eq ? (size_t)(eq - opt) : strlen(opt);
    const struct flag *f = NULL;
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
      if (strlen(flags[k].name) == len && !strncmp(flags[k].name, opt, len)) f = &flags[k];
    if (!f) {
      fprintf(stderr, "otel-instrument: unknown option %s\n", argv[i]);
      usage(stderr);
      return 2;
    }
    const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
    if (!value) {
      fprintf(stderr, "otel-instrument: %s needs a value\n", argv[i]);
      return 2;
    }
    setenv(f->env, value, 1);
  }
  if (i >= argc) {
    usage(stderr);
    return 2;
  }

  char agent[PATH_MAX];
  if (agent_path(agent, sizeof agent) != 0) return 2;
  char runtime[PATH_MAX] = "";
#if defined(__SANITIZE_ADDRESS__)
  dl_iterate_phdr(find_asan, runtime);
#endif
  const char *old = getenv("LD_PRELOAD");
  size_t cap = strlen(runtime) + strlen(agent) + (old ? strlen(old) : 0) + 3;
  char *preload = malloc(cap);
  if (!preload) {
    fprintf(stderr, "otel-instrument: out of memory\n");
    return 2;
  }
  snprintf(preload, cap, "%s%s%s%s%s", runtime, runtime[0] ? " " : "", agent,
           old && *old ? " " : "", old && *old ? old : "");
  setenv("LD_PRELOAD", preload, 1);
  free(preload);
  execvp(argv[i], argv + i);
  fprintf(stderr, "otel-instrument: cannot run %s: %s\n", argv[i], strerror(errno));
  return 127;
}
