/*
 * kpio.h — the KPIO host API for C apps (clang --target=wasm32-wasi).
 *
 * Three import modules: kpio_gui (windows, drawing, events; permission `gui`),
 * kpio_system (time, host name, locale, notifications, clipboard, log) and kpio_net
 * (sockets; permission `network`). Every parameter and result is a 32- or 64-bit
 * integer; strings are pointer + length UTF-8 (no terminating NUL needed).
 * Results >= 0 are values (a handle, a length, a width); negative results are the
 * KPIO_E* error codes below. A pointer/length outside linear memory traps.
 * Colours are 0xAARRGGBB (alpha 0xFF is opaque; the host blends "source over").
 *
 * The C names carry a kpio_ prefix so they never clash with libc (close, send, log);
 * import_name gives the ABI's name. The same ABI as the Rust SDK (crates/kpio-guest,
 * src/abi.rs); the SDK's tests check that both agree.
 */
#ifndef KPIO_H
#define KPIO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KPIO_IMPORT(module, name) \
    __attribute__((import_module(module), import_name(name)))

/* ---- Error codes ------------------------------------------------------- */
#define KPIO_EDENIED        (-1)  /* the app lacks the permission (logged by the host) */
#define KPIO_EINVALID       (-2)  /* bad argument: unknown handle, bad size, not UTF-8 */
#define KPIO_ELIMIT         (-3)  /* too many windows/sockets, image or text too large */
#define KPIO_EUNAVAILABLE   (-4)  /* no display / no clipboard / not on this host */
#define KPIO_ECLOSED        (-5)  /* the window or the connection was closed */
#define KPIO_ETIMED_OUT     (-6)  /* nothing happened within the timeout */
#define KPIO_EIO            (-7)  /* another I/O error */
#define KPIO_EREFUSED       (-8)  /* connection refused */
#define KPIO_EADDR_IN_USE   (-9)  /* address in use */
#define KPIO_ENOT_CONNECTED (-10) /* socket not connected / not listening */
#define KPIO_EUNREACHABLE   (-11) /* host unknown or unreachable */

/* ---- Events ------------------------------------------------------------ */
/* The record poll_event writes: six little-endian 32-bit fields. */
typedef struct kpio_event {
    uint32_t kind;     /* KPIO_EVENT_* */
    uint32_t key_code; /* key (KPIO_KEY_* or a Unicode scalar), or mouse button */
    int32_t mouse_x;   /* window-content coordinates */
    int32_t mouse_y;
    uint32_t width;    /* the window's content size */
    uint32_t height;
} kpio_event;
_Static_assert(sizeof(kpio_event) == 24, "kpio_event is the ABI's 24-byte record");

#define KPIO_EVENT_NONE       0
#define KPIO_EVENT_KEY_DOWN   1
#define KPIO_EVENT_KEY_UP     2
#define KPIO_EVENT_MOUSE_MOVE 3
#define KPIO_EVENT_MOUSE_DOWN 4
#define KPIO_EVENT_MOUSE_UP   5
#define KPIO_EVENT_CLOSE      6
#define KPIO_EVENT_RESIZE     7

/* Keys that type a character report its Unicode scalar value after Shift
 * ('1', '+', 'a', 'A'); the others: */
#define KPIO_KEY_BACKSPACE 8
#define KPIO_KEY_TAB       9
#define KPIO_KEY_ENTER     13
#define KPIO_KEY_ESCAPE    27
#define KPIO_KEY_DELETE    127
#define KPIO_KEY_UP        0x110001
#define KPIO_KEY_DOWN      0x110002
#define KPIO_KEY_LEFT      0x110003
#define KPIO_KEY_RIGHT     0x110004
#define KPIO_KEY_PAGE_UP   0x110005
#define KPIO_KEY_PAGE_DOWN 0x110006
#define KPIO_KEY_HOME      0x110007
#define KPIO_KEY_END       0x110008
#define KPIO_KEY_F(n)      (0x110010 + (n)) /* n = 1..12 */
#define KPIO_KEY_SHIFT     0x110020
#define KPIO_KEY_CONTROL   0x110021
#define KPIO_KEY_ALT       0x110022

/* Mouse buttons (key_code of mouse_down / mouse_up). */
#define KPIO_BUTTON_LEFT   0
#define KPIO_BUTTON_RIGHT  1
#define KPIO_BUTTON_MIDDLE 2

/* poll_event / accept / recv timeouts. */
#define KPIO_NO_WAIT       0
#define KPIO_WAIT_FOREVER  (-1)

/* Colour helpers. */
#define KPIO_RGB(r, g, b) \
    (0xFF000000u | ((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b))
#define KPIO_ARGB(a, r, g, b) \
    (((uint32_t)(a) << 24) | ((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b))

/* ---- kpio_gui (permission `gui`) --------------------------------------- */
/* Opens a window (width, height 1..=4096); returns its handle > 0. */
KPIO_IMPORT("kpio_gui", "create_window")
int32_t kpio_create_window(const char *title, int32_t title_len, int32_t width, int32_t height);
KPIO_IMPORT("kpio_gui", "close_window")
int32_t kpio_close_window(int32_t win);
KPIO_IMPORT("kpio_gui", "set_title")
int32_t kpio_set_title(int32_t win, const char *title, int32_t title_len);
/* Fills the whole canvas. */
KPIO_IMPORT("kpio_gui", "clear")
int32_t kpio_clear(int32_t win, uint32_t argb);
/* Filled rectangle, clipped to the canvas. */
KPIO_IMPORT("kpio_gui", "draw_rect")
int32_t kpio_draw_rect(int32_t win, int32_t x, int32_t y, int32_t w, int32_t h, uint32_t argb);
/* 1-pixel line. */
KPIO_IMPORT("kpio_gui", "draw_line")
int32_t kpio_draw_line(int32_t win, int32_t x0, int32_t y0, int32_t x1, int32_t y1, uint32_t argb);
/* One line of text; (x, y) is the top-left of the line box (about 1.2 * size_px
 * high). Returns the advance width in pixels. */
KPIO_IMPORT("kpio_gui", "draw_text")
int32_t kpio_draw_text(int32_t win, int32_t x, int32_t y, const char *text, int32_t len,
                       int32_t size_px, uint32_t argb);
/* The advance width of a text, without drawing (no window needed). */
KPIO_IMPORT("kpio_gui", "measure_text")
int32_t kpio_measure_text(const char *text, int32_t len, int32_t size_px);
/* RGBA8 pixels, row-major; len == w * h * 4. */
KPIO_IMPORT("kpio_gui", "draw_image")
int32_t kpio_draw_image(int32_t win, int32_t x, int32_t y, int32_t w, int32_t h,
                        const uint8_t *rgba, int32_t len);
/* Shows what was drawn since the last frame, then waits for the display's next
 * frame (~60 Hz). 0, or KPIO_ECLOSED. */
KPIO_IMPORT("kpio_gui", "request_frame")
int32_t kpio_request_frame(int32_t win);
/* Writes one event to *event and returns 1, or returns 0 when none arrived within
 * timeout_ms (KPIO_NO_WAIT: do not wait; KPIO_WAIT_FOREVER: wait, never busy). */
KPIO_IMPORT("kpio_gui", "poll_event")
int32_t kpio_poll_event(int32_t win, kpio_event *event, int32_t timeout_ms);

/* ---- kpio_system ------------------------------------------------------- */
/* Milliseconds since the Unix epoch. */
KPIO_IMPORT("kpio_system", "get_time")
int64_t kpio_get_time(void);
/* Nanoseconds since an arbitrary start (monotonic). */
KPIO_IMPORT("kpio_system", "get_monotonic")
int64_t kpio_get_monotonic(void);
/* The full length of the host name; the bytes are copied only if they fit in cap. */
KPIO_IMPORT("kpio_system", "get_hostname")
int32_t kpio_get_hostname(char *buf, int32_t cap);
/* A notification (permission `notifications`); returns its id > 0. */
KPIO_IMPORT("kpio_system", "notify")
int32_t kpio_notify(const char *title, int32_t title_len, const char *body, int32_t body_len);
/* The clipboard text's full length, copied only if it fits (permission `clipboard`). */
KPIO_IMPORT("kpio_system", "clipboard_read")
int32_t kpio_clipboard_read(char *buf, int32_t cap);
KPIO_IMPORT("kpio_system", "clipboard_write")
int32_t kpio_clipboard_write(const char *text, int32_t len);
/* The BCP 47 locale tag ("en-US"): full length, copied if it fits. */
KPIO_IMPORT("kpio_system", "get_locale")
int32_t kpio_get_locale(char *buf, int32_t cap);
/* A log line; level 0 error, 1 warn, 2 info, 3 debug, 4 trace. */
KPIO_IMPORT("kpio_system", "log")
int32_t kpio_log(int32_t level, const char *msg, int32_t len);

#define KPIO_LOG_ERROR 0
#define KPIO_LOG_WARN  1
#define KPIO_LOG_INFO  2
#define KPIO_LOG_DEBUG 3
#define KPIO_LOG_TRACE 4

/* ---- kpio_net (permission `network` other than "none") ----------------- */
#define KPIO_SOCK_TCP 1
#define KPIO_SOCK_UDP 2

/* A new socket of kind KPIO_SOCK_*; returns its handle. */
KPIO_IMPORT("kpio_net", "socket_create")
int32_t kpio_socket_create(int32_t kind);
KPIO_IMPORT("kpio_net", "bind")
int32_t kpio_bind(int32_t sock, const char *host, int32_t host_len, int32_t port);
/* host: a name or an IP literal, checked against the app's network scope. */
KPIO_IMPORT("kpio_net", "connect")
int32_t kpio_connect(int32_t sock, const char *host, int32_t host_len, int32_t port);
KPIO_IMPORT("kpio_net", "listen")
int32_t kpio_listen(int32_t sock, int32_t backlog);
/* Returns the new connection's handle, or KPIO_ETIMED_OUT. */
KPIO_IMPORT("kpio_net", "accept")
int32_t kpio_accept(int32_t sock, int32_t timeout_ms);
/* Returns the number of bytes sent. */
KPIO_IMPORT("kpio_net", "send")
int32_t kpio_send(int32_t sock, const void *data, int32_t len);
/* Returns the number of bytes received; 0 = the peer closed. */
KPIO_IMPORT("kpio_net", "recv")
int32_t kpio_recv(int32_t sock, void *buf, int32_t cap, int32_t timeout_ms);
KPIO_IMPORT("kpio_net", "close")
int32_t kpio_net_close(int32_t sock);

#ifdef __cplusplus
}
#endif

#endif /* KPIO_H */
