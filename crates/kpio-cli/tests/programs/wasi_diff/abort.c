// Differential corpus: calls that may end the guest instead of returning an errno (invalid
// enum or flag arguments, buffers outside linear memory, proc_exit statuses). Each run does
// one case, named by argv[1]; `abort list` prints the case names.
#include <stdlib.h>
#include "wd.h"

IMPORT(clock_res_get) int32_t raw_clock_res_get(int32_t id, int32_t out);
IMPORT(fd_advise) int32_t raw_fd_advise(int32_t fd, int64_t off, int64_t len, int32_t advice);
IMPORT(fd_filestat_set_times) int32_t raw_fd_filestat_set_times(int32_t fd, int64_t a, int64_t m, int32_t fst);
IMPORT(fd_fdstat_set_rights) int32_t raw_fd_fdstat_set_rights(int32_t fd, int64_t b, int64_t i);
IMPORT(sock_accept) int32_t raw_sock_accept(int32_t fd, int32_t flags, int32_t out);
IMPORT(sock_shutdown) int32_t raw_sock_shutdown(int32_t fd, int32_t how);
IMPORT(sock_recv) int32_t raw_sock_recv(int32_t fd, int32_t iovs, int32_t len, int32_t flags, int32_t out, int32_t outflags);
IMPORT(poll_oneoff) int32_t raw_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t nout);
IMPORT(args_get) int32_t raw_args_get(int32_t argv, int32_t buf);
IMPORT(fd_readdir) int32_t raw_fd_readdir(int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t out);
IMPORT(path_readlink) int32_t raw_path_readlink(int32_t fd, int32_t path, int32_t len, int32_t buf, int32_t buflen, int32_t out);
IMPORT(proc_exit) void raw_proc_exit(int32_t code);

static char path_buf[] = "file.txt";
static int32_t out4[4];
static uint8_t scratch[256];
#define FAR 0x7ffffff0 // far past the end of linear memory

#define CASES(X)                                                                            \
    X(clock_res_get_bad_id, raw_clock_res_get(9, PTR(out4)))                                \
    X(clock_time_get_bad_id, raw_clock_time_get(9, 0, PTR(out4)))                           \
    X(clock_time_get_out_of_bounds, raw_clock_time_get(0, 0, FAR))                          \
    X(fd_seek_bad_whence, raw_fd_seek(SANDBOX, 0, 3, PTR(out4)))                            \
    X(fd_seek_bad_whence_closed_fd, raw_fd_seek(99, 0, 3, PTR(out4)))                       \
    X(fd_advise_bad_advice, raw_fd_advise(SANDBOX, 0, 0, 9))                                \
    X(proc_raise_bad_signal, raw_proc_raise(999))                                           \
    X(proc_raise_kill, raw_proc_raise(9))                                                   \
    X(proc_raise_chld, raw_proc_raise(16))                                                  \
    X(fd_fdstat_set_flags_bad_bits, raw_fd_fdstat_set_flags(1, 0x20))                       \
    X(fd_filestat_set_times_bad_bits, raw_fd_filestat_set_times(SANDBOX, 0, 0, 0x10))       \
    X(fd_fdstat_set_rights_bad_bits, raw_fd_fdstat_set_rights(SANDBOX, 1ll << 40, 0))      \
    X(path_open_bad_oflags, raw_path_open(SANDBOX, 0, PTR(path_buf), 8, 0x10, RO, 0, 0, PTR(out4))) \
    X(path_open_bad_fdflags, raw_path_open(SANDBOX, 0, PTR(path_buf), 8, 0, RO, 0, 0x20, PTR(out4))) \
    X(path_open_bad_rights, raw_path_open(SANDBOX, 0, PTR(path_buf), 8, 0, 1ll << 40, 0, 0, PTR(out4))) \
    X(path_open_bad_lookupflags, raw_path_open(SANDBOX, 2, PTR(path_buf), 8, 0, RO, 0, 0, PTR(out4))) \
    X(path_open_path_out_of_bounds, raw_path_open(SANDBOX, 0, FAR, 8, 0, RO, 0, 0, PTR(out4))) \
    X(path_open_huge_path_len, raw_path_open(SANDBOX, 0, PTR(path_buf), 0x7fffffff, 0, RO, 0, 0, PTR(out4))) \
    X(path_open_out_of_bounds_result, raw_path_open(SANDBOX, 0, PTR(path_buf), 8, 0, RO, 0, 0, FAR)) \
    X(path_open_not_utf8, raw_path_open(SANDBOX, 0, PTR("\xff\xfe"), 2, 0, RO, 0, 0, PTR(out4))) \
    X(path_open_interior_nul, raw_path_open(SANDBOX, 0, PTR("file.txt\0x"), 10, 0, RO, 0, 0, PTR(out4))) \
    X(path_filestat_get_bad_lookupflags, raw_path_filestat_get(SANDBOX, 2, PTR(path_buf), 8, PTR(scratch))) \
    X(path_create_directory_closed_fd_bad_path, raw_path_create_directory(99, FAR, 4))      \
    X(sock_accept_bad_flags, raw_sock_accept(SANDBOX, 0xffff, PTR(out4)))                   \
    X(sock_shutdown_bad_how, raw_sock_shutdown(SANDBOX, 0xff))                             \
    X(sock_recv_bad_flags, raw_sock_recv(SANDBOX, PTR(scratch), 0, 0xff, PTR(out4), PTR(out4))) \
    X(poll_oneoff_out_of_bounds, raw_poll_oneoff(FAR, PTR(scratch), 1, PTR(out4)))          \
    X(poll_oneoff_huge_count, raw_poll_oneoff(PTR(scratch), PTR(scratch), 0x10000000, PTR(out4))) \
    X(fd_write_iovec_out_of_bounds, raw_fd_write(1, FAR, 1, PTR(out4)))                     \
    X(fd_write_huge_iovs_len, raw_fd_write(1, PTR(scratch), 0x10000000, PTR(out4)))         \
    X(fd_write_closed_fd_bad_iovec, raw_fd_write(99, FAR, 1, PTR(out4)))                    \
    X(fd_read_into_out_of_bounds, ({ int32_t iov[2] = {FAR, 16}; raw_fd_read(0, PTR(iov), 1, PTR(out4)); })) \
    X(random_get_out_of_bounds, raw_random_get(FAR, 64))                                   \
    X(random_get_huge_len, raw_random_get(PTR(scratch), 0x7fffffff))                        \
    X(args_get_out_of_bounds, raw_args_get(FAR, FAR))                                       \
    X(prestat_dir_name_huge_len, raw_fd_prestat_dir_name(SANDBOX, PTR(scratch), 0x7fffffff)) \
    X(prestat_dir_name_out_of_bounds, raw_fd_prestat_dir_name(SANDBOX, FAR, 16))            \
    X(fd_readdir_huge_len, raw_fd_readdir(SANDBOX, PTR(scratch), 0x7fffffff, 0, PTR(out4))) \
    X(path_readlink_huge_len, raw_path_readlink(SANDBOX, PTR("link_file"), 9, PTR(scratch), 0x7fffffff, PTR(out4))) \
    X(proc_exit_0, (raw_proc_exit(0), 0))                                                   \
    X(proc_exit_7, (raw_proc_exit(7), 0))                                                   \
    X(proc_exit_125, (raw_proc_exit(125), 0))                                               \
    X(proc_exit_126, (raw_proc_exit(126), 0))                                               \
    X(proc_exit_255, (raw_proc_exit(255), 0))                                               \
    X(proc_exit_negative, (raw_proc_exit(-1), 0))                                           \
    X(unreachable, (__builtin_trap(), 0))

#define NAME(name, call) #name,
static const char *const NAMES[] = {CASES(NAME)};

int main(int argc, char **argv) {
    line_buffered();
    if (argc < 2) return 2;
    if (!strcmp(argv[1], "list")) {
        for (size_t i = 0; i < sizeof NAMES / sizeof *NAMES; i++) printf("%s\n", NAMES[i]);
        return 0;
    }
#define RUN(name, call)                                                                     \
    if (!strcmp(argv[1], #name)) {                                                          \
        printf("%s\n", #name);                                                              \
        int e = (call);                                                                     \
        printf("-> %s\n", ename(e));                                                        \
        return 0;                                                                           \
    }
    CASES(RUN)
    printf("no case %s\n", argv[1]);
    return 2;
}
