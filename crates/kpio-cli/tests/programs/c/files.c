// A C program through wasi-libc: args, environment, stdio and files in the preopened
// current directory. Its output is compared with the same source built natively.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

int main(int argc, char **argv) {
    printf("argc %d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d] %s\n", i, argv[i]);
    const char *v = getenv("KPIO_GREETING");
    printf("env %s\n", v ? v : "(unset)");

    if (mkdir("cdir", 0755) != 0) { perror("mkdir"); return 2; }
    FILE *f = fopen("cdir/numbers.txt", "w");
    if (!f) { perror("fopen"); return 2; }
    for (int i = 0; i < 100; i++) fprintf(f, "%d\n", i * i);
    fclose(f);

    f = fopen("cdir/numbers.txt", "r");
    long sum = 0; int x, n = 0;
    while (fscanf(f, "%d", &x) == 1) { sum += x; n++; }
    fseek(f, 0, SEEK_END);
    printf("read %d numbers, sum %ld, size %ld\n", n, sum, ftell(f));
    fclose(f);

    struct stat st;
    stat("cdir/numbers.txt", &st);
    printf("stat size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode) ? 1 : 0);

    if (rename("cdir/numbers.txt", "cdir/squares.txt") != 0) { perror("rename"); return 2; }
    fclose(fopen("cdir/empty", "w"));
    DIR *d = opendir("cdir");
    char *names[16]; int k = 0; struct dirent *e;
    while ((e = readdir(d)) && k < 16)
        if (e->d_name[0] != '.') names[k++] = strdup(e->d_name);
    closedir(d);
    qsort(names, k, sizeof *names, cmp);
    for (int i = 0; i < k; i++) printf("entry %s\n", names[i]);

    errno = 0;
    if (!fopen("cdir/missing", "r")) printf("missing errno is ENOENT: %d\n", errno == ENOENT);
    unlink("cdir/squares.txt");
    unlink("cdir/empty");
    if (rmdir("cdir") != 0) { perror("rmdir"); return 2; }
    fprintf(stderr, "done\n");
    return argc > 2 ? atoi(argv[2]) : 0;
}
