// Differential corpus: the path_* functions with trailing slashes, symlinks, `..`, files
// where directories are expected and the reverse, open flags, renames and removals.
#include "wd.h"

static void readdir_all(int fd) {
    // Prints the entries (names and types, not inodes), in the order given, then reads again
    // from the cookie after the first entry.
    static uint8_t buf[4096];
    __wasi_size_t used = 0;
    int e = __wasi_fd_readdir(fd, buf, sizeof buf, 0, &used);
    printf("fd_readdir(%d, cookie 0) -> %s", fd, ename(e));
    __wasi_dircookie_t second = 0;
    int count = 0;
    for (__wasi_size_t at = 0; e == 0 && at + sizeof(__wasi_dirent_t) <= used;) {
        __wasi_dirent_t d;
        memcpy(&d, buf + at, sizeof d);
        at += sizeof d;
        if (count == 0) second = d.d_next;
        count++;
        at += d.d_namlen;
    }
    printf(" entries %d\n", count);
    e = __wasi_fd_readdir(fd, buf, sizeof buf, second, &used);
    int count2 = 0;
    for (__wasi_size_t at = 0; e == 0 && at + sizeof(__wasi_dirent_t) <= used;) {
        __wasi_dirent_t d;
        memcpy(&d, buf + at, sizeof d);
        at += sizeof d + d.d_namlen;
        count2++;
    }
    printf("fd_readdir(%d, second cookie) -> %s entries %d\n", fd, ename(e), count2);
    e = __wasi_fd_readdir(fd, buf, 10, 0, &used);
    printf("fd_readdir(%d, 10-byte buffer) -> %s used %lu\n", fd, ename(e), used);
    e = __wasi_fd_readdir(fd, buf, sizeof buf, 0xffffffffull, &used);
    printf("fd_readdir(%d, huge cookie) -> %s used %lu\n", fd, ename(e), used);
}

int main(void) {
    line_buffered();
    char buf[64];
    __wasi_size_t n;

    section("preopen");
    show_fdstat(SANDBOX);

    section("path_open");
    int fd;
    fd = open_at(SANDBOX, "file.txt", 0, RW, 0, 0);
    show_fdstat(fd);
    R(__wasi_fd_close(fd));
    fd = open_at(SANDBOX, "file.txt", 0, RO, 0, 0);
    show_fdstat(fd);
    R(__wasi_fd_close(fd));
    fd = open_at(SANDBOX, "file.txt", 0, WO, 0, 0);
    show_fdstat(fd);
    R(__wasi_fd_close(fd));
    open_at(SANDBOX, "missing.txt", 0, RO, 0, 0);
    open_at(SANDBOX, "file.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW, 0, 0);
    fd = open_at(SANDBOX, "created.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW, 0, 0);
    show_write(fd, "created");
    R(__wasi_fd_close(fd));
    open_at(SANDBOX, "created.txt", __WASI_OFLAGS_EXCL, RW, 0, 0);
    fd = open_at(SANDBOX, "created.txt", __WASI_OFLAGS_TRUNC, RW, 0, 0);
    show_read(fd, 10);
    R(__wasi_fd_close(fd));
    fd = open_at(SANDBOX, "created.txt", __WASI_OFLAGS_TRUNC, RO, 0, 0);
    if (fd >= 0) R(__wasi_fd_close(fd));
    open_at(SANDBOX, "file.txt", __WASI_OFLAGS_DIRECTORY, RO, 0, 0);
    open_at(SANDBOX, "file.txt/", 0, RO, 0, 0);
    open_at(SANDBOX, "file.txt/.", 0, RO, 0, 0);
    open_at(SANDBOX, "new_dir_like/", __WASI_OFLAGS_CREAT, RW, 0, 0);
    open_at(SANDBOX, "dir", 0, RW, 0, 0);
    open_at(SANDBOX, "dir", 0, WO, 0, 0);
    fd = open_at(SANDBOX, "dir", 0, RO, 0, 0);
    if (fd >= 0) { show_fdstat(fd); R(__wasi_fd_close(fd)); }
    fd = open_at(SANDBOX, "dir/", __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, 0);
    if (fd >= 0) { readdir_all(fd); R(__wasi_fd_close(fd)); }
    open_at(SANDBOX, "dir", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW, 0, 0);
    open_at(SANDBOX, "dir", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_DIRECTORY, RW, 0, 0);
    open_at(SANDBOX, "dir", __WASI_OFLAGS_TRUNC, RW, 0, 0);
    open_at(SANDBOX, "", 0, RO, 0, 0);
    fd = open_at(SANDBOX, ".", __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, 0);
    if (fd >= 0) R(__wasi_fd_close(fd));
    fd = open_at(SANDBOX, "dir/..", __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, 0);
    if (fd >= 0) R(__wasi_fd_close(fd));
    fd = open_at(SANDBOX, "dir/sub/../inner.txt", 0, RO, 0, 0);
    show_read(fd, 64);
    if (fd >= 0) R(__wasi_fd_close(fd));
    open_at(SANDBOX, "missing/x.txt", __WASI_OFLAGS_CREAT, RW, 0, 0);
    open_at(SANDBOX, "file.txt/x.txt", __WASI_OFLAGS_CREAT, RW, 0, 0);
    open_at(99, "file.txt", 0, RO, 0, 0);
    open_at(1, "file.txt", 0, RO, 0, 0);
    fd = open_at(SANDBOX, "file.txt", 0, RO, 0, 0);
    open_at(fd, "x", 0, RO, 0, 0);
    R(__wasi_fd_close(fd));
    fd = open_at(SANDBOX, "sync.txt", __WASI_OFLAGS_CREAT, RW, __WASI_FDFLAGS_SYNC, 0);
    show_write(fd, "synced");
    show_fdstat(fd);
    if (fd >= 0) R(__wasi_fd_close(fd));
    fd = open_at(SANDBOX, "sync.txt", 0, RW, __WASI_FDFLAGS_DSYNC | __WASI_FDFLAGS_RSYNC, 0);
    if (fd >= 0) R(__wasi_fd_close(fd));
    fd = open_at(SANDBOX, "sync.txt", 0, RW, __WASI_FDFLAGS_NONBLOCK, 0);
    show_fdstat(fd);
    if (fd >= 0) R(__wasi_fd_close(fd));

    section("symlinks");
    fd = open_at(SANDBOX, "link_file", 0, RO, 0, FOLLOW);
    show_read(fd, 5);
    if (fd >= 0) R(__wasi_fd_close(fd));
    open_at(SANDBOX, "link_file", 0, RO, 0, 0);
    open_at(SANDBOX, "link_dangling", 0, RO, 0, FOLLOW);
    open_at(SANDBOX, "link_dangling", 0, RO, 0, 0);
    open_at(SANDBOX, "link_loop", 0, RO, 0, FOLLOW);
    open_at(SANDBOX, "link_loop", 0, RO, 0, 0);
    open_at(SANDBOX, "link_loop/x", 0, RO, 0, FOLLOW);
    fd = open_at(SANDBOX, "link_dir/inner.txt", 0, RO, 0, 0);
    show_read(fd, 5);
    if (fd >= 0) R(__wasi_fd_close(fd));
    fd = open_at(SANDBOX, "link_dir", __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, FOLLOW);
    if (fd >= 0) R(__wasi_fd_close(fd));
    open_at(SANDBOX, "link_dir", __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, 0);
    open_at(SANDBOX, "link_dir/", __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, 0);
    fd = open_at(SANDBOX, "link_dangling", __WASI_OFLAGS_CREAT, RW, 0, FOLLOW);
    if (fd >= 0) R(__wasi_fd_close(fd));
    open_at(SANDBOX, "link_file", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW, 0, FOLLOW);
    show_stat(SANDBOX, "link_file", 0);
    show_stat(SANDBOX, "link_file", FOLLOW);
    show_stat(SANDBOX, "link_dir", 0);
    show_stat(SANDBOX, "link_dir", FOLLOW);
    show_stat(SANDBOX, "link_loop", FOLLOW);
    show_stat(SANDBOX, "link_dangling", FOLLOW);
    show_stat(SANDBOX, "link_file/", 0);
    show_stat(SANDBOX, "link_dir/", 0);
    int e = __wasi_path_readlink(SANDBOX, "link_file", (uint8_t *)buf, sizeof buf, &n);
    printf("path_readlink(link_file) -> %s \"%.*s\"\n", ename(e), e ? 0 : (int)n, buf);
    e = __wasi_path_readlink(SANDBOX, "link_file", (uint8_t *)buf, 3, &n);
    printf("path_readlink(link_file, 3) -> %s \"%.*s\"\n", ename(e), e ? 0 : (int)n, buf);
    e = __wasi_path_readlink(SANDBOX, "link_file", (uint8_t *)buf, 0, &n);
    printf("path_readlink(link_file, 0) -> %s %lu\n", ename(e), e ? 0 : n);
    R(__wasi_path_readlink(SANDBOX, "file.txt", (uint8_t *)buf, sizeof buf, &n));
    R(__wasi_path_readlink(SANDBOX, "missing", (uint8_t *)buf, sizeof buf, &n));
    R(__wasi_path_readlink(SANDBOX, "link_file/", (uint8_t *)buf, sizeof buf, &n));
    R(__wasi_path_readlink(SANDBOX, "dir", (uint8_t *)buf, sizeof buf, &n));
    R(__wasi_path_symlink("file.txt", SANDBOX, "new_link"));
    R(__wasi_path_symlink("file.txt", SANDBOX, "new_link"));
    R(__wasi_path_symlink("whatever", SANDBOX, "dir"));
    R(__wasi_path_symlink("dir", SANDBOX, "new_link2/"));
    R(__wasi_path_symlink("", SANDBOX, "empty_target"));
    R(__wasi_path_symlink("x", SANDBOX, "missing/link"));
    R(__wasi_path_symlink("x", SANDBOX, "file.txt/link"));
    R(__wasi_path_symlink("dir/sub", SANDBOX, "dir/sublink"));
    R(__wasi_path_symlink("../x", SANDBOX, "up_link"));
    R(__wasi_path_symlink("/abs", SANDBOX, "abs_link"));
    R(__wasi_path_symlink("x", 99, "nope"));

    section("path_create_directory");
    R(__wasi_path_create_directory(SANDBOX, "made"));
    R(__wasi_path_create_directory(SANDBOX, "made"));
    R(__wasi_path_create_directory(SANDBOX, "made2/"));
    R(__wasi_path_create_directory(SANDBOX, "made/deep/er"));
    R(__wasi_path_create_directory(SANDBOX, "file.txt"));
    R(__wasi_path_create_directory(SANDBOX, "file.txt/sub"));
    R(__wasi_path_create_directory(SANDBOX, ""));
    R(__wasi_path_create_directory(SANDBOX, "."));
    R(__wasi_path_create_directory(SANDBOX, "made/.."));
    R(__wasi_path_create_directory(SANDBOX, "link_dangling"));
    R(__wasi_path_create_directory(SANDBOX, "link_dir/viasym"));
    R(__wasi_path_create_directory(99, "x"));

    section("path_filestat");
    show_stat(SANDBOX, "file.txt", 0);
    show_stat(SANDBOX, "dir", 0);
    show_stat(SANDBOX, "missing", 0);
    show_stat(SANDBOX, "file.txt/", 0);
    show_stat(SANDBOX, "dir/", 0);
    show_stat(SANDBOX, "", 0);
    show_stat(SANDBOX, ".", 0);
    show_stat(SANDBOX, "dir/sub/..", 0);
    __wasi_filestat_t st;
    R(__wasi_path_filestat_set_times(SANDBOX, 0, "file.txt", 5000000000ull, 7000000000ull,
                                     __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    R(__wasi_path_filestat_get(SANDBOX, 0, "file.txt", &st));
    printf("atim %llu mtim %llu\n", (unsigned long long)st.atim, (unsigned long long)st.mtim);
    R(__wasi_path_filestat_set_times(SANDBOX, FOLLOW, "link_file", 9000000000ull, 0,
                                     __WASI_FSTFLAGS_ATIM));
    R(__wasi_path_filestat_get(SANDBOX, 0, "file.txt", &st));
    printf("atim %llu mtim %llu\n", (unsigned long long)st.atim, (unsigned long long)st.mtim);
    R(__wasi_path_filestat_set_times(SANDBOX, 0, "link_file", 1000000000ull, 1000000000ull,
                                     __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    R(__wasi_path_filestat_get(SANDBOX, 0, "link_file", &st));
    printf("link mtim %llu\n", (unsigned long long)st.mtim);
    R(__wasi_path_filestat_set_times(SANDBOX, 0, "missing", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    R(__wasi_path_filestat_set_times(SANDBOX, 0, "file.txt", 0, 0,
                                     __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
    R(__wasi_path_filestat_set_times(SANDBOX, 0, "file.txt/", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    R(__wasi_path_filestat_set_times(SANDBOX, 0, "dir/", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    R(__wasi_path_filestat_set_times(SANDBOX, 0, "file.txt", 0, 0, 0));

    section("path_link");
    R(__wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, "hard.txt"));
    show_stat(SANDBOX, "hard.txt", 0);
    R(__wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, "hard.txt"));
    R(__wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, "link/"));
    R(__wasi_path_link(SANDBOX, 0, "file.txt/", SANDBOX, "link2"));
    R(__wasi_path_link(SANDBOX, 0, "missing", SANDBOX, "link3"));
    R(__wasi_path_link(SANDBOX, 0, "dir", SANDBOX, "dirlink"));
    R(__wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, "missing/link"));
    R(__wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, "dir"));
    R(__wasi_path_link(SANDBOX, 0, "link_file", SANDBOX, "hard_of_symlink"));
    show_stat(SANDBOX, "hard_of_symlink", 0);
    R(__wasi_path_link(SANDBOX, FOLLOW, "link_file", SANDBOX, "hard_follow"));
    show_stat(SANDBOX, "hard_follow", 0);
    R(__wasi_path_link(SANDBOX, 0, "file.txt", OTHER, "cross.txt"));
    R(__wasi_path_link(99, 0, "file.txt", SANDBOX, "x"));
    R(__wasi_path_link(SANDBOX, 0, "file.txt", 99, "x"));

    section("path_rename");
    R(__wasi_path_rename(SANDBOX, "created.txt", SANDBOX, "renamed.txt"));
    R(__wasi_path_rename(SANDBOX, "created.txt", SANDBOX, "renamed.txt"));
    R(__wasi_path_rename(SANDBOX, "renamed.txt", SANDBOX, "renamed.txt"));
    R(__wasi_path_rename(SANDBOX, "renamed.txt", SANDBOX, "dir"));
    R(__wasi_path_rename(SANDBOX, "renamed.txt", SANDBOX, "renamed2.txt/"));
    R(__wasi_path_rename(SANDBOX, "renamed.txt/", SANDBOX, "renamed2.txt"));
    R(__wasi_path_rename(SANDBOX, "made", SANDBOX, "file.txt"));
    R(__wasi_path_rename(SANDBOX, "made", SANDBOX, "dir"));
    R(__wasi_path_rename(SANDBOX, "empty", SANDBOX, "made"));
    R(__wasi_path_rename(SANDBOX, "made2", SANDBOX, "made/deep/inside"));
    R(__wasi_path_rename(SANDBOX, "made", SANDBOX, "made/deep/self"));
    R(__wasi_path_rename(SANDBOX, "made2", SANDBOX, "moved2/"));
    R(__wasi_path_rename(SANDBOX, "moved2/", SANDBOX, "moved3"));
    R(__wasi_path_rename(SANDBOX, "renamed.txt", SANDBOX, "hard.txt"));
    R(__wasi_path_rename(SANDBOX, "link_file", SANDBOX, "link_file_moved"));
    R(__wasi_path_rename(SANDBOX, "link_dir/", SANDBOX, "x"));
    R(__wasi_path_rename(SANDBOX, "sync.txt", OTHER, "cross.txt"));
    R(__wasi_path_rename(SANDBOX, ".", SANDBOX, "dot"));
    R(__wasi_path_rename(SANDBOX, "", SANDBOX, "x"));
    R(__wasi_path_rename(SANDBOX, "hard.txt", SANDBOX, ""));
    R(__wasi_path_rename(99, "a", SANDBOX, "b"));

    section("path_unlink_file");
    R(__wasi_path_unlink_file(SANDBOX, "hard_follow"));
    R(__wasi_path_unlink_file(SANDBOX, "hard_follow"));
    R(__wasi_path_unlink_file(SANDBOX, "dir"));
    R(__wasi_path_unlink_file(SANDBOX, "dir/"));
    R(__wasi_path_unlink_file(SANDBOX, "hard.txt/"));
    R(__wasi_path_unlink_file(SANDBOX, "link_dir"));
    R(__wasi_path_unlink_file(SANDBOX, "link_dangling/"));
    R(__wasi_path_unlink_file(SANDBOX, "new_link"));
    R(__wasi_path_unlink_file(SANDBOX, ""));
    R(__wasi_path_unlink_file(SANDBOX, "."));
    R(__wasi_path_unlink_file(99, "x"));

    section("path_remove_directory");
    R(__wasi_path_remove_directory(SANDBOX, "made"));
    R(__wasi_path_remove_directory(SANDBOX, "made/deep/er"));
    R(__wasi_path_remove_directory(SANDBOX, "made/deep/er"));
    R(__wasi_path_remove_directory(SANDBOX, "empty/"));
    R(__wasi_path_remove_directory(SANDBOX, "hard.txt"));
    R(__wasi_path_remove_directory(SANDBOX, "link_dir"));
    R(__wasi_path_remove_directory(SANDBOX, "link_dir/"));
    R(__wasi_path_remove_directory(SANDBOX, "."));
    R(__wasi_path_remove_directory(SANDBOX, "made/deep/.."));
    R(__wasi_path_remove_directory(SANDBOX, ""));
    R(__wasi_path_remove_directory(99, "x"));

    section("readdir");
    readdir_all(SANDBOX);
    fd = open_at(SANDBOX, "dir", __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, 0);
    readdir_all(fd);
    return 0;
}
