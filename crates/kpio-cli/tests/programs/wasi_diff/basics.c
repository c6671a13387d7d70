// Differential corpus: arguments, environment, clocks, randomness, scheduling, signals,
// preopens, stdio descriptors, poll_oneoff and sockets.
#include "wd.h"

int main(void) {
    line_buffered();

    section("args and environ");
    __wasi_size_t argc = 0, argsz = 0, envc = 0, envsz = 0;
    R(__wasi_args_sizes_get(&argc, &argsz));
    printf("argc %u size %u\n", argc, argsz);
    static uint8_t *argv[64];
    static uint8_t argbuf[4096];
    if (argc <= 64 && argsz <= sizeof argbuf) {
        R(__wasi_args_get(argv, argbuf));
        for (__wasi_size_t i = 1; i < argc; i++) printf("argv[%u] \"%s\"\n", i, argv[i]);
    }
    R(__wasi_environ_sizes_get(&envc, &envsz));
    printf("envc %u size %u\n", envc, envsz);
    static uint8_t *envp[64];
    static uint8_t envbuf[4096];
    if (envc <= 64 && envsz <= sizeof envbuf) {
        R(__wasi_environ_get(envp, envbuf));
        for (__wasi_size_t i = 0; i < envc; i++) printf("env[%u] \"%s\"\n", i, envp[i]);
    }

    section("clocks");
    __wasi_timestamp_t t = 0, t2 = 0, res = 0;
    for (int id = 0; id < 4; id++) {
        int e = __wasi_clock_res_get(id, &res);
        printf("clock_res_get(%d) -> %s%s\n", id, ename(e), e == 0 && res > 0 ? " positive" : "");
        e = __wasi_clock_time_get(id, 1, &t);
        printf("clock_time_get(%d) -> %s%s\n", id, ename(e), e == 0 && t > 0 ? " positive" : "");
    }
    R(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t));
    R(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t2));
    printf("monotonic does not go back: %d\n", t2 >= t);
    R(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 0, &t));
    printf("realtime after 2020: %d\n", t > 1577836800000000000ull);

    section("random");
    uint8_t rnd[64] = {0};
    R(__wasi_random_get(rnd, sizeof rnd));
    int nonzero = 0;
    for (size_t i = 0; i < sizeof rnd; i++) nonzero |= rnd[i];
    printf("random not all zero: %d\n", nonzero != 0);
    R(__wasi_random_get(rnd, 0));
    static uint8_t big[1 << 20];
    R(raw_random_get(PTR(big), sizeof big));

    section("sched and signals");
    R(__wasi_sched_yield());
    R(raw_proc_raise(0));

    section("preopens");
    for (int fd = 0; fd < 7; fd++) {
        __wasi_prestat_t ps;
        int e = __wasi_fd_prestat_get(fd, &ps);
        printf("fd_prestat_get(%d) -> %s", fd, ename(e));
        if (e == 0) {
            char name[64] = {0};
            printf(" tag %d len %u", ps.tag, ps.u.dir.pr_name_len);
            int e2 = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len);
            printf(" dir_name -> %s \"%s\"", ename(e2), name);
            e2 = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, 0);
            printf(" short -> %s", ename(e2));
        }
        printf("\n");
    }
    char name[8];
    R(__wasi_fd_prestat_dir_name(0, (uint8_t *)name, sizeof name));
    R(__wasi_fd_prestat_dir_name(99, (uint8_t *)name, sizeof name));

    section("stdio");
    // stdio's file types depend on what it is connected to: both runners get pipes.
    for (int fd = 0; fd < 3; fd++) {
        __wasi_fdstat_t st;
        int e = __wasi_fd_fdstat_get(fd, &st);
        printf("fd_fdstat_get(%d) -> %s", fd, ename(e));
        if (e == 0) printf(" flags %d read %d write %d", st.fs_flags,
                           !!(st.fs_rights_base & __WASI_RIGHTS_FD_READ),
                           !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
        printf("\n");
    }
    __wasi_filesize_t pos;
    R(__wasi_fd_seek(0, 0, __WASI_WHENCE_CUR, &pos));
    R(__wasi_fd_seek(1, 0, __WASI_WHENCE_SET, &pos));
    R(__wasi_fd_tell(2, &pos));
    R(__wasi_fd_filestat_set_size(1, 0));
    R(__wasi_fd_sync(1));
    R(__wasi_fd_datasync(1));
    R(__wasi_fd_advise(1, 0, 0, __WASI_ADVICE_NORMAL));
    R(__wasi_fd_allocate(1, 0, 1));
    R(__wasi_fd_readdir(1, (uint8_t *)name, sizeof name, 0, (__wasi_size_t *)&argc));
    char b1[4];
    __wasi_iovec_t iov = {(uint8_t *)b1, sizeof b1};
    __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    R(__wasi_fd_read(1, &iov, 1, &n));
    R(__wasi_fd_write(0, &ciov, 1, &n));
    R(__wasi_fd_pread(0, &iov, 1, 0, &n));
    R(__wasi_fd_pwrite(1, &ciov, 1, 0, &n));
    R(__wasi_fd_write(1, &ciov, 0, &n));
    printf("wrote %u\n", n);
    R(__wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_NONBLOCK));
    R(__wasi_fd_fdstat_set_flags(1, 0));

    section("poll_oneoff");
    __wasi_subscription_t subs[4];
    __wasi_event_t evs[4];
    memset(subs, 0, sizeof subs);
    memset(evs, 0, sizeof evs);
    R(__wasi_poll_oneoff(subs, evs, 0, &n));
    subs[0].userdata = 7;
    subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.timeout = 1000000; // 1 ms
    R(__wasi_poll_oneoff(subs, evs, 1, &n));
    printf("events %u userdata %llu error %s type %d\n", n, (unsigned long long)evs[0].userdata,
           ename(evs[0].error), evs[0].type);
    subs[0].u.u.clock.id = __WASI_CLOCKID_REALTIME;
    subs[0].u.u.clock.timeout = 0;
    R(__wasi_poll_oneoff(subs, evs, 1, &n));
    printf("events %u\n", n);
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
    subs[0].u.u.clock.timeout = 1; // long past
    R(__wasi_poll_oneoff(subs, evs, 1, &n));
    printf("events %u userdata %llu\n", n, (unsigned long long)evs[0].userdata);
    subs[0].u.u.clock.flags = 2;
    R(__wasi_poll_oneoff(subs, evs, 1, &n));
    subs[0].u.u.clock.flags = 0;
    subs[0].u.u.clock.id = __WASI_CLOCKID_PROCESS_CPUTIME_ID;
    R(__wasi_poll_oneoff(subs, evs, 1, &n));
    subs[0].u.u.clock.id = 9;
    R(__wasi_poll_oneoff(subs, evs, 1, &n));
    subs[0].u.tag = 7;
    R(__wasi_poll_oneoff(subs, evs, 1, &n));
    // A clock far away and stdout ready to write: only stdout fires.
    subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.timeout = 60ull * 1000000000ull;
    subs[1].userdata = 8;
    subs[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subs[1].u.u.fd_write.file_descriptor = 1;
    R(__wasi_poll_oneoff(subs, evs, 2, &n));
    printf("events %u userdata %llu error %s type %d\n", n, (unsigned long long)evs[0].userdata,
           ename(evs[0].error), evs[0].type);
    subs[1].u.u.fd_write.file_descriptor = 99;
    R(__wasi_poll_oneoff(subs, evs, 2, &n));
    printf("events %u userdata %llu error %s type %d\n", n, (unsigned long long)evs[0].userdata,
           ename(evs[0].error), evs[0].type);
    subs[1].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[1].u.u.fd_read.file_descriptor = 1;
    R(__wasi_poll_oneoff(subs, evs, 2, &n));
    printf("events %u userdata %llu error %s type %d\n", n, (unsigned long long)evs[0].userdata,
           ename(evs[0].error), evs[0].type);
    subs[1].u.u.fd_read.file_descriptor = SANDBOX;
    R(__wasi_poll_oneoff(subs, evs, 2, &n));
    printf("events %u userdata %llu error %s type %d\n", n, (unsigned long long)evs[0].userdata,
           ename(evs[0].error), evs[0].type);

    section("sockets");
    __wasi_fd_t nfd;
    __wasi_size_t ro;
    __wasi_roflags_t rof;
    R(__wasi_sock_accept(SANDBOX, 0, &nfd));
    R(__wasi_sock_accept(99, 0, &nfd));
    R(__wasi_sock_accept(1, 0, &nfd));
    R(__wasi_sock_recv(SANDBOX, &iov, 1, 0, &ro, &rof));
    R(__wasi_sock_recv(99, &iov, 1, 0, &ro, &rof));
    R(__wasi_sock_send(SANDBOX, &ciov, 1, 0, &ro));
    R(__wasi_sock_send(99, &ciov, 1, 0, &ro));
    R(__wasi_sock_shutdown(SANDBOX, __WASI_SDFLAGS_RD));
    R(__wasi_sock_shutdown(99, __WASI_SDFLAGS_WR));
    return 0;
}
