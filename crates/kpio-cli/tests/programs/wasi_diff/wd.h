// Shared by the differential WASI corpus: calls the raw wasi_snapshot_preview1 functions and
// prints `call -> errno` lines, plus results that wasmtime and kpio must agree on (never
// timestamps, inode or device numbers).
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static const char *const ERRNAMES[77] = {
    "success", "2big", "acces", "addrinuse", "addrnotavail", "afnosupport", "again",
    "already", "badf", "badmsg", "busy", "canceled", "child", "connaborted", "connrefused",
    "connreset", "deadlk", "destaddrreq", "dom", "dquot", "exist", "fault", "fbig",
    "hostunreach", "idrm", "ilseq", "inprogress", "intr", "inval", "io", "isconn", "isdir",
    "loop", "mfile", "mlink", "msgsize", "multihop", "nametoolong", "netdown", "netreset",
    "netunreach", "nfile", "nobufs", "nodev", "noent", "noexec", "nolck", "nolink", "nomem",
    "nomsg", "noprotoopt", "nospc", "nosys", "notconn", "notdir", "notempty",
    "notrecoverable", "notsock", "notsup", "notty", "nxio", "overflow", "ownerdead", "perm",
    "pipe", "proto", "protonosupport", "prototype", "range", "rofs", "spipe", "srch", "stale",
    "timedout", "txtbsy", "xdev", "notcapable"};

static const char *ename(int e) {
    static char buf[16];
    if (e >= 0 && e < 77) return ERRNAMES[e];
    snprintf(buf, sizeof buf, "errno%d", e);
    return buf;
}

// Evaluates a call, prints `<source text> -> <errno name>`, and yields the errno.
#define R(call) report(#call, (call))
static int report(const char *what, int e) {
    printf("%s -> %s\n", what, ename(e));
    return e;
}

// Raw imports for what wasi-libc's <wasi/api.h> does not expose: lengths given explicitly
// (the header computes them with strlen) and `proc_raise` (dropped from the header).
#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
IMPORT(path_open) int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t len,
                                        int32_t oflags, int64_t base, int64_t inheriting,
                                        int32_t fdflags, int32_t out);
IMPORT(path_create_directory) int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t len);
IMPORT(path_unlink_file) int32_t raw_path_unlink_file(int32_t fd, int32_t path, int32_t len);
IMPORT(fd_write) int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t len, int32_t out);
IMPORT(fd_read) int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t len, int32_t out);
IMPORT(proc_raise) int32_t raw_proc_raise(int32_t sig);
IMPORT(clock_time_get) int32_t raw_clock_time_get(int32_t id, int64_t precision, int32_t out);
IMPORT(fd_fdstat_set_flags) int32_t raw_fd_fdstat_set_flags(int32_t fd, int32_t flags);
IMPORT(path_filestat_get) int32_t raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path,
                                                        int32_t len, int32_t out);
IMPORT(fd_seek) int32_t raw_fd_seek(int32_t fd, int64_t offset, int32_t whence, int32_t out);
IMPORT(random_get) int32_t raw_random_get(int32_t buf, int32_t len);
IMPORT(fd_prestat_dir_name) int32_t raw_fd_prestat_dir_name(int32_t fd, int32_t buf, int32_t len);

#define PTR(p) ((int32_t)(uintptr_t)(p))

// The preopened sandbox (first --dir) and a second preopen (second --dir).
#define SANDBOX 3
#define OTHER 4

static const __wasi_rights_t RW = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                                  __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
                                  __WASI_RIGHTS_FD_FILESTAT_GET |
                                  __WASI_RIGHTS_FD_FILESTAT_SET_SIZE;
static const __wasi_rights_t RO = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |
                                  __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET;
static const __wasi_rights_t WO = __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |
                                  __WASI_RIGHTS_FD_TELL;
static const __wasi_rights_t DIRRIGHTS = __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN |
                                         __WASI_RIGHTS_PATH_CREATE_FILE |
                                         __WASI_RIGHTS_PATH_FILESTAT_GET;

// Opens `path` under `dir`; prints the errno and returns the fd (or -1).
static int open_at(int dir, const char *path, __wasi_oflags_t of, __wasi_rights_t rights,
                   __wasi_fdflags_t fl, __wasi_lookupflags_t lf) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    int e = __wasi_path_open(dir, lf, path, of, rights, rights, fl, &fd);
    printf("path_open(%d, \"%s\", oflags %d, rights %s, fdflags %d, follow %d) -> %s", dir, path,
           of, rights == RW ? "rw" : rights == RO ? "ro" : rights == WO ? "wo" : "dir", fl, lf,
           ename(e));
    if (e == 0) printf(" fd %u", fd);
    printf("\n");
    return e == 0 ? (int)fd : -1;
}

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static void show_read(int fd, size_t n) {
    char buf[256];
    if (n > sizeof buf) n = sizeof buf;
    __wasi_iovec_t iov = {(uint8_t *)buf, n};
    __wasi_size_t got = 0;
    int e = __wasi_fd_read(fd, &iov, 1, &got);
    printf("fd_read(%d, %zu) -> %s", fd, n, ename(e));
    if (e == 0) printf(" %u \"%.*s\"", got, (int)got, buf);
    printf("\n");
}

static void show_write(int fd, const char *s) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    __wasi_size_t n = 0;
    int e = __wasi_fd_write(fd, &iov, 1, &n);
    printf("fd_write(%d, \"%s\") -> %s", fd, s, ename(e));
    if (e == 0) printf(" %u", n);
    printf("\n");
}

static void show_stat(int dir, const char *path, __wasi_lookupflags_t lf) {
    __wasi_filestat_t st;
    int e = __wasi_path_filestat_get(dir, lf, path, &st);
    printf("path_filestat_get(%d, \"%s\", follow %d) -> %s", dir, path, lf, ename(e));
    if (e == 0) {
        printf(" type %d", st.filetype);
        if (st.filetype != __WASI_FILETYPE_DIRECTORY) printf(" size %llu", (unsigned long long)st.size);
        if (st.filetype == __WASI_FILETYPE_REGULAR_FILE) printf(" nlink %llu", (unsigned long long)st.nlink);
    }
    printf("\n");
}

static void show_fdstat(int fd) {
    __wasi_fdstat_t st;
    int e = __wasi_fd_fdstat_get(fd, &st);
    printf("fd_fdstat_get(%d) -> %s", fd, ename(e));
    if (e == 0)
        printf(" type %d flags %d base %llx inheriting %llx", st.fs_filetype, st.fs_flags,
               (unsigned long long)st.fs_rights_base, (unsigned long long)st.fs_rights_inheriting);
    printf("\n");
}

static void section(const char *name) { printf("== %s\n", name); }

static void line_buffered(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
