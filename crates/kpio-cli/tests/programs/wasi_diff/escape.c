// Differential corpus: every way out of a preopen (`..`, absolute paths, symlinks that lead
// out) through every path function, plus directory syncs and set-times on preopens.
#include "wd.h"

static const char *const ESCAPES[] = {
    "..", "../outside.txt", "dir/../../outside.txt", "/etc/passwd", "/", "link_escape",
    "link_abs", "link_dir/../../outside.txt", "link_escape/x", "link_abs/x",
};
#define N (sizeof ESCAPES / sizeof *ESCAPES)

int main(void) {
    line_buffered();
    char buf[64];
    __wasi_size_t n;
    __wasi_filestat_t st;
    for (unsigned i = 0; i < N; i++) {
        const char *p = ESCAPES[i];
        printf("== %s\n", p);
        int fd = open_at(SANDBOX, p, 0, RO, 0, 0);
        if (fd >= 0) __wasi_fd_close(fd);
        fd = open_at(SANDBOX, p, 0, RO, 0, FOLLOW);
        if (fd >= 0) __wasi_fd_close(fd);
        fd = open_at(SANDBOX, p, __WASI_OFLAGS_CREAT, RW, 0, FOLLOW);
        if (fd >= 0) __wasi_fd_close(fd);
        fd = open_at(SANDBOX, p, __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, FOLLOW);
        if (fd >= 0) __wasi_fd_close(fd);
        printf("filestat_get -> %s\n", ename(__wasi_path_filestat_get(SANDBOX, 0, p, &st)));
        printf("filestat_get follow -> %s\n", ename(__wasi_path_filestat_get(SANDBOX, FOLLOW, p, &st)));
        printf("set_times follow -> %s\n",
               ename(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, p, 0, 0, __WASI_FSTFLAGS_MTIM_NOW)));
        printf("readlink -> %s\n", ename(__wasi_path_readlink(SANDBOX, p, (uint8_t *)buf, sizeof buf, &n)));
        printf("create_directory -> %s\n", ename(__wasi_path_create_directory(SANDBOX, p)));
        printf("remove_directory -> %s\n", ename(__wasi_path_remove_directory(SANDBOX, p)));
        printf("unlink_file -> %s\n", ename(__wasi_path_unlink_file(SANDBOX, p)));
        printf("symlink at -> %s\n", ename(__wasi_path_symlink("file.txt", SANDBOX, p)));
        printf("link from -> %s\n", ename(__wasi_path_link(SANDBOX, 0, p, SANDBOX, "l")));
        printf("link to -> %s\n", ename(__wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, p)));
        printf("rename from -> %s\n", ename(__wasi_path_rename(SANDBOX, p, SANDBOX, "r")));
        printf("rename to -> %s\n", ename(__wasi_path_rename(SANDBOX, "empty", SANDBOX, p)));
    }
    section("directories");
    R(__wasi_fd_sync(SANDBOX));
    R(__wasi_fd_datasync(SANDBOX));
    R(__wasi_fd_filestat_set_times(SANDBOX, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    int d = open_at(SANDBOX, "dir", __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, 0);
    R(__wasi_fd_sync(d));
    R(__wasi_fd_datasync(d));
    R(__wasi_fd_fdstat_set_flags(d, __WASI_FDFLAGS_APPEND));
    R(__wasi_fd_fdstat_set_flags(d, 0));
    int f = open_at(d, "..", __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, 0);
    if (f >= 0) R(__wasi_fd_close(f));
    f = open_at(d, "../file.txt", 0, RO, 0, 0);
    if (f >= 0) R(__wasi_fd_close(f));
    f = open_at(d, "inner.txt", 0, RW, 0, 0);
    R(__wasi_fd_sync(f));
    R(__wasi_fd_datasync(f));
    return 0;
}
