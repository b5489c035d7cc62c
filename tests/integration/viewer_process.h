/* viewer_process.h: integration-test helper that runs the real otel-viewer
 * ($BUILD/bin/otel-viewer) on free ports, reads the ports from its
 * "listening" line, and queries its JSON API with libcurl. Header-only
 * (static functions) because each integration test is one program.
 * Call viewer_start before grpc_init (grpc_init starts threads; fork after
 * it is unsafe, docs/design.md, gRPC). */
#ifndef VIEWER_PROCESS_H
#define VIEWER_PROCESS_H

#include <cJSON.h>
#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct viewer_process {
  pid_t pid;
  int grpc_port;
  int http_port;
} viewer_process_t;

/* Starts the viewer quietly on free ports; 0 on success. */
static int viewer_start(viewer_process_t *v) {
  const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
  char bin[512];
  snprintf(bin, sizeof bin, "%s/bin/otel-viewer", build);
  int out[2];
  if (pipe(out) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  char *argv[] = {bin, "--grpc-port", "0", "--http-port", "0", "--quiet", NULL};
  int rc = posix_spawn(&v->pid, bin, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  if (rc != 0) {
    fprintf(stderr, "cannot start %s\n", bin);
    close(out[0]);
    return -1;
  }
  char line[256] = "";
  size_t len = 0;
  for (int i = 0; i < 200 && !strchr(line, '\n'); i++) { /* at most 20 s */
    struct pollfd p = {.fd = out[0], .events = POLLIN};
    if (poll(&p, 1, 100) > 0) {
      ssize_t n = read(out[0], line + len, sizeof line - 1 - len);
      if (n <= 0) break;
      len += (size_t)n;
      line[len] = '\0';
    }
  }
  close(out[0]);
  if (sscanf(line, "otel-viewer: listening grpc=127.0.0.1:%d http=127.0.0.1:%d", &v->grpc_port,
             &v->http_port) != 2) {
    fprintf(stderr, "no listening line from the viewer: '%s'\n", line);
    kill(v->pid, SIGKILL);
    waitpid(v->pid, NULL, 0);
    return -1;
  }
  return 0;
}

/* Stops the viewer with SIGTERM; returns its exit status (0 expected). */
static int viewer_stop(viewer_process_t *v) {
  int status = 0;
  if (v->pid <= 0) return -1;
  kill(v->pid, SIGTERM);
  waitpid(v->pid, &status, 0);
  v->pid = 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static size_t viewer__collect(char *p, size_t sz, size_t n, void *ud) {
  char **body = ud;
  size_t old = *body ? strlen(*body) : 0;
  char *grown = realloc(*body, old + sz * n + 1);
  if (!grown) return 0;
  memcpy(grown + old, p, sz * n);
  grown[old + sz * n] = '\0';
  *body = grown;
  return sz * n;
}

/* GETs path from the viewer's HTTP port and parses the JSON answer; NULL
 * when the request fails or the answer is not JSON. Free with cJSON_Delete. */
static cJSON *viewer_get_json(const viewer_process_t *v, const char *path) {
  char url[512];
  snprintf(url, sizeof url, "http://127.0.0.1:%d%s", v->http_port, path);
  CURL *c = curl_easy_init();
  char *body = NULL;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, viewer__collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_cleanup(c);
  cJSON *json = rc == CURLE_OK && body ? cJSON_Parse(body) : NULL;
  free(body);
  return json;
}

/* An OTLP/JSON attribute value by key from an "attributes" array, or NULL. */
static const cJSON *viewer_attr(const cJSON *attributes, const char *key) {
  const cJSON *kv;
  cJSON_ArrayForEach(kv, attributes) {
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(kv, "key");
    if (cJSON_IsString(k) && !strcmp(k->valuestring, key))
      return cJSON_GetObjectItemCaseSensitive(kv, "value");
  }
  return NULL;
}

#endif /* VIEWER_PROCESS_H */
