/* Calls every function kpio.h declares (never run: only built, so that
 * tests/imports.rs can check the module's imports). */
#include "kpio.h"

int main(void) {
    char buf[64];
    kpio_event ev;
    int32_t w = kpio_create_window("p", 1, 10, 10);
    int32_t r = 0;
    r |= kpio_set_title(w, "p", 1);
    r |= kpio_clear(w, KPIO_RGB(1, 2, 3));
    r |= kpio_draw_rect(w, 0, 0, 1, 1, 0);
    r |= kpio_draw_line(w, 0, 0, 1, 1, 0);
    r |= kpio_draw_text(w, 0, 0, "p", 1, 10, 0);
    r |= kpio_measure_text("p", 1, 10);
    r |= kpio_draw_image(w, 0, 0, 1, 1, (const uint8_t *)buf, 4);
    r |= kpio_request_frame(w);
    r |= kpio_poll_event(w, &ev, KPIO_NO_WAIT);
    r |= kpio_close_window(w);
    r |= (int32_t)(kpio_get_time() + kpio_get_monotonic());
    r |= kpio_get_hostname(buf, sizeof buf);
    r |= kpio_notify("p", 1, "q", 1);
    r |= kpio_clipboard_read(buf, sizeof buf);
    r |= kpio_clipboard_write(buf, 1);
    r |= kpio_get_locale(buf, sizeof buf);
    r |= kpio_log(KPIO_LOG_INFO, "p", 1);
    int32_t s = kpio_socket_create(KPIO_SOCK_TCP);
    r |= kpio_bind(s, "127.0.0.1", 9, 0);
    r |= kpio_connect(s, "localhost", 9, 1);
    r |= kpio_listen(s, 1);
    r |= kpio_accept(s, KPIO_WAIT_FOREVER);
    r |= kpio_send(s, buf, 1);
    r |= kpio_recv(s, buf, sizeof buf, 5);
    r |= kpio_net_close(s);
    return r;
}
