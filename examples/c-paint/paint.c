/*
 * KPIO Paint: a small C GUI app that proves the C path (clang + wasi-libc + kpio.h).
 *
 * Draw with the left mouse button. The bar at the top picks a colour (or clears);
 * keys: 1-8 pick a colour, + and - change the brush size, C clears.
 *
 * The painting lives in the app's own RGBA buffer and every frame shows it with one
 * draw_image, so the app never depends on the host keeping the canvas between frames.
 * Like the Rust SDK's event loop, it waits for an event without a timeout (no busy
 * waiting), takes every event already queued, then redraws once.
 *
 * Build (scripts/build-apps.sh does this):
 *   clang --target=wasm32-wasi --sysroot=/usr -O2 -I crates/kpio-guest/include \
 *         -o examples/c-paint/package/app.wasm examples/c-paint/paint.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpio.h"

#define BAR_H 36
#define SWATCH 24
#define MIN_BRUSH 1
#define MAX_BRUSH 24

static const uint32_t PALETTE[8] = {
    KPIO_RGB(0x11, 0x11, 0x11), KPIO_RGB(0xE5, 0x39, 0x35), KPIO_RGB(0xFB, 0x8C, 0x00),
    KPIO_RGB(0xFD, 0xD8, 0x35), KPIO_RGB(0x43, 0xA0, 0x47), KPIO_RGB(0x1E, 0x88, 0xE5),
    KPIO_RGB(0x8E, 0x24, 0xAA), KPIO_RGB(0xFF, 0xFF, 0xFF),
};
#define PAPER KPIO_RGB(0xFF, 0xFF, 0xFF)
#define BAR KPIO_RGB(0x2C, 0x2E, 0x38)
#define BAR_TEXT KPIO_RGB(0xF5, 0xF5, 0xF7)
#define CLEAR_FACE KPIO_RGB(0xB9, 0x3A, 0x3A)

/* The app's state. */
static struct {
    int32_t win;
    int32_t width, height; /* window content size */
    uint8_t *pixels;       /* the painting: width x (height - BAR_H), RGBA8 */
    int32_t pw, ph;        /* the painting's size */
    int colour;            /* index into PALETTE */
    int brush;             /* radius in pixels */
    int drawing;           /* the left button is down in the painting */
    int32_t last_x, last_y;
} app;

static int32_t str_len(const char *s) { return (int32_t)strlen(s); }

/* Where swatch i is in the bar, and the "Clear" button. */
static int32_t swatch_x(int i) { return 8 + i * (SWATCH + 6); }
static int32_t clear_x(void) { return swatch_x(8) + 8; }
#define CLEAR_W 64

/* (Re)allocates the painting for the window size, keeping what overlaps. */
static int resize_painting(int32_t width, int32_t height) {
    int32_t pw = width, ph = height > BAR_H ? height - BAR_H : 1;
    uint8_t *p = malloc((size_t)pw * (size_t)ph * 4);
    if (!p) return -1;
    for (int32_t i = 0; i < pw * ph; i++) memcpy(p + 4 * i, "\xff\xff\xff\xff", 4);
    if (app.pixels) {
        int32_t w = pw < app.pw ? pw : app.pw, h = ph < app.ph ? ph : app.ph;
        for (int32_t y = 0; y < h; y++)
            memcpy(p + 4 * (y * pw), app.pixels + 4 * (y * app.pw), (size_t)w * 4);
        free(app.pixels);
    }
    app.pixels = p;
    app.pw = pw;
    app.ph = ph;
    app.width = width;
    app.height = height;
    return 0;
}

static void clear_painting(void) { memset(app.pixels, 0xFF, (size_t)app.pw * app.ph * 4); }

/* A filled disc of the brush's radius at (cx, cy) in painting coordinates. */
static void stamp(int32_t cx, int32_t cy) {
    uint32_t c = PALETTE[app.colour];
    uint8_t rgba[4] = {(uint8_t)(c >> 16), (uint8_t)(c >> 8), (uint8_t)c, 0xFF};
    int r = app.brush;
    for (int dy = -r; dy <= r; dy++) {
        for (int dx = -r; dx <= r; dx++) {
            int32_t x = cx + dx, y = cy + dy;
            if (dx * dx + dy * dy > r * r || x < 0 || y < 0 || x >= app.pw || y >= app.ph)
                continue;
            memcpy(app.pixels + 4 * (y * app.pw + x), rgba, 4);
        }
    }
}

/* Stamps along the segment from the last point to (x, y), one stamp per pixel step. */
static void stroke_to(int32_t x, int32_t y) {
    int32_t dx = x - app.last_x, dy = y - app.last_y;
    int32_t steps = abs(dx) > abs(dy) ? abs(dx) : abs(dy);
    for (int32_t i = 1; i <= steps; i++)
        stamp(app.last_x + dx * i / steps, app.last_y + dy * i / steps);
    if (steps == 0) stamp(x, y);
    app.last_x = x;
    app.last_y = y;
}

static void draw(void) {
    char label[48];
    kpio_clear(app.win, PAPER);
    kpio_draw_image(app.win, 0, BAR_H, app.pw, app.ph, app.pixels, app.pw * app.ph * 4);
    kpio_draw_rect(app.win, 0, 0, app.width, BAR_H, BAR);
    for (int i = 0; i < 8; i++) {
        int32_t x = swatch_x(i), y = (BAR_H - SWATCH) / 2;
        if (i == app.colour) /* a white frame marks the current colour */
            kpio_draw_rect(app.win, x - 3, y - 3, SWATCH + 6, SWATCH + 6, BAR_TEXT);
        kpio_draw_rect(app.win, x, y, SWATCH, SWATCH, PALETTE[i]);
    }
    kpio_draw_rect(app.win, clear_x(), 6, CLEAR_W, BAR_H - 12, CLEAR_FACE);
    int32_t tw = kpio_measure_text("Clear", 5, 14);
    kpio_draw_text(app.win, clear_x() + (CLEAR_W - tw) / 2, (BAR_H - 17) / 2, "Clear", 5, 14,
                   BAR_TEXT);
    snprintf(label, sizeof label, "Brush %d  (+/-)", app.brush);
    kpio_draw_text(app.win, clear_x() + CLEAR_W + 12, (BAR_H - 17) / 2, label, str_len(label),
                   14, BAR_TEXT);
}

/* Handles one event; returns 1 if the window must be redrawn, -1 to quit. */
static int handle(const kpio_event *e) {
    switch (e->kind) {
    case KPIO_EVENT_CLOSE:
        return -1;
    case KPIO_EVENT_RESIZE:
        if (resize_painting((int32_t)e->width, (int32_t)e->height) != 0) return -1;
        return 1;
    case KPIO_EVENT_MOUSE_DOWN:
        if (e->key_code != KPIO_BUTTON_LEFT) return 0;
        if (e->mouse_y < BAR_H) {
            for (int i = 0; i < 8; i++) {
                if (e->mouse_x >= swatch_x(i) && e->mouse_x < swatch_x(i) + SWATCH) {
                    app.colour = i;
                    return 1;
                }
            }
            if (e->mouse_x >= clear_x() && e->mouse_x < clear_x() + CLEAR_W) {
                clear_painting();
                return 1;
            }
            return 0;
        }
        app.drawing = 1;
        app.last_x = e->mouse_x;
        app.last_y = e->mouse_y - BAR_H;
        stamp(app.last_x, app.last_y);
        return 1;
    case KPIO_EVENT_MOUSE_MOVE:
        if (!app.drawing) return 0;
        stroke_to(e->mouse_x, e->mouse_y - BAR_H);
        return 1;
    case KPIO_EVENT_MOUSE_UP:
        app.drawing = 0;
        return 0;
    case KPIO_EVENT_KEY_DOWN:
        if (e->key_code >= '1' && e->key_code <= '8') {
            app.colour = (int)(e->key_code - '1');
        } else if (e->key_code == '+' || e->key_code == '=') {
            if (app.brush < MAX_BRUSH) app.brush++;
        } else if (e->key_code == '-') {
            if (app.brush > MIN_BRUSH) app.brush--;
        } else if (e->key_code == 'c' || e->key_code == 'C') {
            clear_painting();
        } else {
            return 0;
        }
        return 1;
    default:
        return 0;
    }
}

int main(void) {
    const char *title = "Paint";
    app.win = kpio_create_window(title, str_len(title), 480, 360);
    if (app.win < 0) {
        fprintf(stderr, "paint: create_window failed (%d)\n", app.win);
        return 1;
    }
    app.brush = 4;
    if (resize_painting(480, 360) != 0) return 1;

    int redraw = 1;
    for (;;) {
        if (redraw) {
            draw();
            if (kpio_request_frame(app.win) == KPIO_ECLOSED) break;
            redraw = 0;
        }
        /* Wait for the next event, then take all that are already queued. */
        kpio_event ev;
        int32_t timeout = KPIO_WAIT_FOREVER, r, quit = 0;
        while ((r = kpio_poll_event(app.win, &ev, timeout)) == 1) {
            int h = handle(&ev);
            if (h < 0) {
                quit = 1;
                break;
            }
            redraw |= h;
            timeout = KPIO_NO_WAIT;
        }
        if (quit || r < 0) break; /* closed, or the window is gone */
    }
    const char *bye = "paint: closed";
    kpio_log(KPIO_LOG_INFO, bye, str_len(bye));
    kpio_close_window(app.win);
    free(app.pixels);
    return 0;
}
