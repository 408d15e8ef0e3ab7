/* The bare libmicrohttpd baseline for the HTTP benchmark: the same daemon
   setup as memcgd (auto internal thread with epoll, thread pool, ITC), a
   handler that answers a constant from its second call (keep-alive kept).
   Usage: bare PORT THREADS [FILE-WITH-THE-CONSTANT-REPLY] */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char body[65536] = "{\"status\":\"ok\"}";
static size_t body_len = 15;
static int marker;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls) {
  (void)cls; (void)url; (void)method; (void)version; (void)upload;
  if (*con_cls == NULL) { *con_cls = &marker; return MHD_YES; }
  if (*upload_size) { *upload_size = 0; return MHD_YES; }
  struct MHD_Response *r = MHD_create_response_from_buffer(body_len, (void *)body, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(r, "Content-Type", "application/json");
  enum MHD_Result ret = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return ret;
}

int main(int argc, char **argv) {
  unsigned port = argc > 1 ? (unsigned)atoi(argv[1]) : 8090;
  unsigned threads = argc > 2 ? (unsigned)atoi(argv[2]) : 2;
  /* Optional: a file whose bytes are the constant reply (same size as the
     reply being compared against). */
  if (argc > 3) {
    FILE *f = fopen(argv[3], "rb");
    if (!f) { perror(argv[3]); return 1; }
    body_len = fread(body, 1, sizeof body, f);
    fclose(f);
  }
  struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC, (uint16_t)port,
                                          NULL, NULL, handler, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads,
                                          MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
  if (!d) { fprintf(stderr, "cannot start\n"); return 1; }
  sigset_t s; sigemptyset(&s); sigaddset(&s, SIGTERM); sigaddset(&s, SIGINT);
  int sig; sigwait(&s, &sig);
  MHD_stop_daemon(d);
  return 0;
}
