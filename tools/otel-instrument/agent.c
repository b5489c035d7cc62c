/* agent.c: the life of libotel-agent.so, the LD_PRELOAD agent of
 * otel-instrument (see agent.h and README.md).
 *
 * - The constructor only reads the environment and looks at the program:
 *   OTEL_SDK_DISABLED=true, or a program that carries libotel-lite itself,
 *   turns the agent off (the wrappers call straight through); a civetweb or
 *   libcurl linked statically into the program is reported, since its calls
 *   cannot be wrapped.
 * - The SDK starts on the first wrapped call (mg_start*, curl_easy_perform),
 *   with every signal blocked in the starting thread, so the SDK's threads
 *   (batch processor, metric reader, gRPC core) never take a signal meant
 *   for the program. A program may therefore fork before any HTTP traffic
 *   and each child starts its own SDK. A child forked after the start gets
 *   telemetry off: the parent's SDK threads do not exist in it (and gRPC
 *   must not be used after a fork), so it cannot be flushed or reused.
 * - At exit (an atexit handler registered right after the SDK started, so
 *   it runs before the exit-time destructors of what the SDK set up) and on
 *   SIGTERM/SIGINT, the SDK flushes within OTEL_INSTRUMENT_SHUTDOWN_TIMEOUT
 *   milliseconds (default 5000). The shutdown runs on its own thread; when
 *   the deadline passes first, the process ends anyway: a signal kills it
 *   as it would have, an exit ends with _exit(status) after flushing stdio
 *   (main's return value and exit's argument are recorded by wrapping
 *   __libc_start_main and exit). A signal handler is installed only where
 *   the program left the default action, and the program's own handler
 *   replaces it whenever it sets one; the handler only writes to a pipe, a
 *   thread of the agent flushes and then re-raises the signal with its
 *   default action, so the process still dies of SIGTERM.
 */
#include "agent.h"

#include "otel/sdk.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AGENT_VERSION "0.1.0"

enum { AGENT_UNSTARTED, AGENT_RUNNING, AGENT_OFF };

static atomic_int state = AGENT_UNSTARTED;
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static otel_sdk_t *sdk;
static otel_meter_t *meter;
static uint32_t shutdown_timeout_ms = 5000;

/* SIGTERM/SIGINT: the handler writes the signal number into the pipe;
 * stop_thread flushes and re-raises. */
static const int stop_signals[] = {SIGTERM, SIGINT};
static bool handler_installed[2];
static int stop_pipe[2] = {-1, -1};
/* set in a child forked after the start; said once, on its first wrapped
 * call (not at the fork: system() and popen() children exec at once) */
static atomic_bool fork_note_pending;

void agent_say(const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n > sizeof line - 2) n = (int)sizeof line - 2;
  line[n++] = '\n';
  /* one write, so that lines of several processes do not interleave */
  char out[560];
  int m = snprintf(out, sizeof out, "otel-instrument[%d]: %.*s", (int)getpid(), n, line);
  if (m > 0) {
    ssize_t w = write(STDERR_FILENO, out, (size_t)m < sizeof out ? (size_t)m : sizeof out - 1);
    (void)w;
  }
}

void *agent_next(const char *symbol) {
  void *f = dlsym(RTLD_NEXT, symbol);
  if (!f) agent_say("%s not found after the agent (%s); calling it fails", symbol, dlerror());
  return f;
}

static const char *program_name(void) {
  return program_invocation_short_name && *program_invocation_short_name
             ? program_invocation_short_name : "unknown_service";
}

/* ---- looking at the program ------------------------------------------------ */

/* What the program's own file holds, found by a marker string each library
 * always carries: libotel-lite's resource code ("telemetry.sdk.language"),
 * civetweb's CGI environment ("SERVER_SOFTWARE=CivetWeb/"), libcurl's
 * content decoding message. A dynamically linked library's strings are in
 * its .so, not in the program, so a hit means "linked in statically". */
typedef struct program_scan {
  bool otel, civetweb, curl;
} program_scan_t;

static program_scan_t scan_program(void) {
  program_scan_t s = {false, false, false};
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return s;
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      static const char otel[] = "telemetry.sdk.language";
      static const char civet[] = "SERVER_SOFTWARE=CivetWeb/";
      static const char curl[] = "libcurl understands %s content encodings";
      s.otel = memmem(p, (size_t)st.st_size, otel, sizeof otel - 1) != NULL;
      s.civetweb = memmem(p, (size_t)st.st_size, civet, sizeof civet - 1) != NULL;
      s.curl = memmem(p, (size_t)st.st_size, curl, sizeof curl - 1) != NULL;
      munmap(p, (size_t)st.st_size);
    }
  }
  close(fd);
  /* a shared libotel-lite would export its API (the agent's own copy is
   * hidden, so this cannot find it) */
  if (dlsym(RTLD_DEFAULT, "otel_sdk_init") || dlsym(RTLD_DEFAULT, "otel_tracer_start_span"))
    s.otel = true;
  return s;
}

/* ---- fork ---------------------------------------------------------------- */

static void before_fork(void) { pthread_mutex_lock(&start_lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&start_lock); }

static void after_fork_child(void) {
  pthread_mutex_init(&start_lock, NULL);
  if (atomic_load(&state) != AGENT_RUNNING) return; /* it starts its own */
  /* The parent's SDK is unusable here: its threads are gone, gRPC does
   * not survive a fork. It is left as it is (never freed or flushed). */
  atomic_store(&state, AGENT_OFF);
  sdk = NULL;
  meter = NULL;
  for (size_t i = 0; i < 2; i++) {
    if (!handler_installed[i]) continue;
    signal(stop_signals[i], SIG_DFL); /* nobody here reads the pipe */
    handler_installed[i] = false;
  }
  atomic_store(&fork_note_pending, true);
}

/* ---- shutdown -------------------------------------------------------------- */

static void agent_shutdown(void) {
  pthread_mutex_lock(&start_lock);
  if (atomic_load(&state) == AGENT_RUNNING) {
    atomic_store(&state, AGENT_OFF);
    agent_civetweb_quiesce();
    agent_curl_quiesce();
    otel_err_t err = otel_sdk_shutdown(sdk, shutdown_timeout_ms);
    if (err != OTEL_OK) agent_say("telemetry not fully sent: %s", otel_strerror(err));
    sdk = NULL;
    meter = NULL;
  }
  pthread_mutex_unlock(&start_lock);
}

/* The SDK's own shutdown waits for exports in flight, which a collector
 * that never answers holds for the exporter's timeout (10 s and more), so
 * it runs on a thread of its own and is waited for until the deadline. */
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static bool shutdown_started, shutdown_done;

static void *shutdown_worker(void *unused) {
  (void)unused;
  agent_shutdown();
  pthread_mutex_lock(&done_lock);
  shutdown_done = true;
  pthread_cond_broadcast(&done_cond);
  pthread_mutex_unlock(&done_lock);
  return NULL;
}

/* Shuts the SDK down, waiting at most the deadline; true when it is done. */
static bool shutdown_within_deadline(void) {
  pthread_mutex_lock(&done_lock);
  if (!shutdown_started) {
    shutdown_started = true;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t t;
    bool threaded = pthread_create(&t, NULL, shutdown_worker, NULL) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (threaded) {
      pthread_detach(t);
    } else { /* no thread: shut down here, unbounded */
      pthread_mutex_unlock(&done_lock);
      agent_shutdown();
      pthread_mutex_lock(&done_lock);
      shutdown_done = true;
    }
  }
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += shutdown_timeout_ms / 1000;
  deadline.tv_nsec += (long)(shutdown_timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  int rc = 0;
  while (!shutdown_done && rc != ETIMEDOUT)
    rc = pthread_cond_timedwait(&done_cond, &done_lock, &deadline);
  bool done = shutdown_done;
  pthread_mutex_unlock(&done_lock);
  if (!done)
    agent_say("telemetry not fully sent within %u ms: the rest is dropped",
              (unsigned)shutdown_timeout_ms);
  return done;
}

/* The program's exit status, for an exit that cannot wait for the SDK:
 * main's return value (__libc_start_main is wrapped, because returning
 * from main calls exit inside libc, out of the agent's reach) or exit's
 * argument. */
static atomic_int exit_status = -1;
typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int main_wrapper(int argc, char **argv, char **envp) {
  int rc = real_main(argc, argv, envp);
  atomic_store(&exit_status, rc & 0xff);
  return rc;
}

typedef int (*libc_start_main_fn)(main_fn, int, char **, void (*)(void), void (*)(void),
                                  void (*)(void), void *);

__attribute__((visibility("default"))) int
__libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                  void (*rtld_fini)(void), void *stack_end) {
  libc_start_main_fn f = (libc_start_main_fn)dlsym(RTLD_NEXT, "__libc_start_main");
  if (!f) abort(); /* no libc: nothing can run */
  real_main = main;
  return f(main_wrapper, argc, argv, init, fini, rtld_fini, stack_end);
}

__attribute__((visibility("default"), noreturn)) void exit(int status) {
  typedef void (*exit_fn)(int) __attribute__((noreturn));
  exit_fn f = (exit_fn)dlsym(RTLD_NEXT, "exit");
  atomic_store(&exit_status, status & 0xff);
  if (!f) _exit(status);
  f(status);
}

static void at_exit(void) {
  if (atomic_load(&state) != AGENT_RUNNING) return;
  if (shutdown_within_deadline()) return;
  /* The SDK's threads are still exporting: letting exit go on would run
   * the libraries' exit-time destructors under them. End here instead,
   * with the program's status and its stdio flushed. */
  int status = atomic_load(&exit_status);
  if (status < 0) return; /* unknown: go on with the normal exit */
  fflush(NULL);
  _exit(status);
}

static void on_stop_signal(int sig) {
  int saved = errno;
  unsigned char b = (unsigned char)sig;
  ssize_t w = write(stop_pipe[1], &b, 1);
  (void)w;
  errno = saved;
}

static void *stop_thread(void *unused) {
  (void)unused;
  unsigned char b;
  ssize_t r;
  while ((r = read(stop_pipe[0], &b, 1)) < 0 && errno == EINTR) {
  }
  if (r != 1) return NULL;
  shutdown_within_deadline();
  /* die of the signal, as without the agent (no exit-time destructors
   * run, so an export still in flight is harmless) */
  signal(b, SIG_DFL);
  kill(getpid(), b);
  return NULL;
}

/* Installs the flushing handler where the program left the default. */
static void install_stop_handlers(void) {
  if (pipe2(stop_pipe, O_CLOEXEC) != 0) return;
  bool any = false;
  for (size_t i = 0; i < 2; i++) {
    struct sigaction old;
    if (sigaction(stop_signals[i], NULL, &old) != 0) continue;
    if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL) {
      struct sigaction sa;
      memset(&sa, 0, sizeof sa);
      sa.sa_handler = on_stop_signal;
      sa.sa_flags = SA_RESTART;
      sigemptyset(&sa.sa_mask);
      handler_installed[i] = sigaction(stop_signals[i], &sa, NULL) == 0;
      any = any || handler_installed[i];
    }
  }
  pthread_t t;
  if (any && pthread_create(&t, NULL, stop_thread, NULL) == 0) pthread_detach(t);
}

/* ---- start --------------------------------------------------------------- */

static void start_sdk(void) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* threads started now inherit it */
  otel_sdk_options_t o;
  otel_sdk_options_init(&o);
  o.service_name = program_name(); /* OTEL_SERVICE_NAME wins */
  otel_err_t err = otel_sdk_init(&o, &sdk);
  if (err != OTEL_OK) {
    agent_say("telemetry is off: the SDK did not start (%s)", otel_strerror(err));
    atomic_store(&state, AGENT_OFF);
  } else {
    meter = otel_sdk_meter(sdk, "otel-instrument", AGENT_VERSION);
    atexit(at_exit);
    install_stop_handlers();
    atomic_store(&state, AGENT_RUNNING);
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

bool agent_active(void) {
  int s = atomic_load_explicit(&state, memory_order_acquire);
  if (s == AGENT_RUNNING) return true;
  if (s == AGENT_OFF) {
    if (atomic_load_explicit(&fork_note_pending, memory_order_relaxed) &&
        atomic_exchange(&fork_note_pending, false))
      agent_say("forked after telemetry started in process %d: this process exports nothing",
                (int)getppid());
    return false;
  }
  pthread_mutex_lock(&start_lock);
  if (atomic_load(&state) == AGENT_UNSTARTED) start_sdk();
  s = atomic_load(&state);
  pthread_mutex_unlock(&start_lock);
  return s == AGENT_RUNNING;
}

bool agent_off(void) { return atomic_load_explicit(&state, memory_order_relaxed) == AGENT_OFF; }

otel_tracer_t *agent_tracer(const char *scope) {
  return otel_sdk_tracer(sdk, scope, AGENT_VERSION);
}

otel_meter_t *agent_meter(void) { return meter; }

__attribute__((constructor)) static void agent_init(void) {
  const char *t = getenv("OTEL_INSTRUMENT_SHUTDOWN_TIMEOUT");
  if (t && *t) {
    char *end;
    long v = strtol(t, &end, 10);
    if (*end || v < 0 || v > 600000)
      agent_say("OTEL_INSTRUMENT_SHUTDOWN_TIMEOUT=\"%s\" is not 0..600000 ms; using %u", t,
                (unsigned)shutdown_timeout_ms);
    else shutdown_timeout_ms = (uint32_t)v;
  }
  const char *disabled = getenv("OTEL_SDK_DISABLED");
  if (disabled && !strcasecmp(disabled, "true")) {
    atomic_store(&state, AGENT_OFF);
    return;
  }
  program_scan_t s = scan_program();
  if (s.otel) {
    agent_say("%s carries libotel-lite itself: the agent stays out of its way", program_name());
    atomic_store(&state, AGENT_OFF);
    return;
  }
  if (s.civetweb)
    agent_say("%s has civetweb linked in statically: its requests cannot be traced", program_name());
  if (s.curl)
    agent_say("%s has libcurl linked in statically: its transfers cannot be traced", program_name());
  pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
