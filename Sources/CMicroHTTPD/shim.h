#ifndef MEMCGD_SHIM_H
#define MEMCGD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/* MHD_start_daemon is variadic, which Swift cannot call: pass every option
   through one MHD_OPTION_ARRAY instead. */
static inline struct MHD_Daemon *
memcgd_start_daemon(unsigned int flags, uint16_t port,
                    MHD_AccessHandlerCallback handler, void *handler_cls,
                    const struct MHD_OptionItem *options)
{
  return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                          MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/* MHD_get_daemon_info is variadic too: the port actually bound (for port 0). */
static inline uint16_t
memcgd_bound_port(struct MHD_Daemon *daemon)
{
  const union MHD_DaemonInfo *info =
    MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  return info ? info->port : 0;
}

/* Formats an MHD log message (printf format plus va_list) into buf. */
static inline int
memcgd_format_log(char *buf, size_t size, const char *fmt, va_list ap)
{
  return vsnprintf(buf, size, fmt, ap);
}
/* The socket of a connection (for the request deadline), or -1. */
static inline int
memcgd_connection_fd(struct MHD_Connection *connection)
{
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  return info ? info->connect_fd : -1;
}

/* Percent-decoding of the path and arguments (MHD_OPTION_UNESCAPE_CALLBACK).
   MHD's own decoder turns %00 into a NUL that ends the C string the handler
   sees, so "/containers/web%00-x" would reach it as "/containers/web".
   A value holding %00 is left undecoded instead; the routes refuse it. */
static size_t
memcgd_unescape(void *cls, struct MHD_Connection *connection, char *s)
{
  (void) cls; (void) connection;
  for (const char *p = s; *p; p++)
    if (p[0] == '%' && p[1] == '0' && p[2] == '0')
      return strlen(s);
  return MHD_http_unescape(s);
}

/* Header faults libmicrohttpd 0.9.75 lets through, even in strict mode:
   a name holding a space or a tab ("Content-Length : 5"), kept as it came,
   and two Content-Length headers with different values, of which it uses
   one. A proxy in front may read either differently (request smuggling), so
   the request is refused. Returns 1 for a bad name, 2 for conflicting
   lengths, 0 when the headers are clean. */
struct memcgd_header_scan { int fault; const char *length; };

static enum MHD_Result
memcgd_scan_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  struct memcgd_header_scan *scan = cls;
  (void) kind;
  for (const char *p = key; p && *p; p++)
    if (*p == ' ' || *p == '\t') { scan->fault = 1; return MHD_NO; }
  if (key && strcasecmp(key, "Content-Length") == 0) {
    if (scan->length && strcmp(scan->length, value ? value : "") != 0) { scan->fault = 2; return MHD_NO; }
    scan->length = value ? value : "";
  }
  return MHD_YES;
}

static inline int
memcgd_header_fault(struct MHD_Connection *connection)
{
  struct memcgd_header_scan scan = { 0, NULL };
  MHD_get_connection_values(connection, MHD_HEADER_KIND, memcgd_scan_header, &scan);
  return scan.fault;
}

static inline intptr_t
memcgd_unescape_callback(void)
{
  return (intptr_t) &memcgd_unescape;
}
#endif
