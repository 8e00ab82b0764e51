/* A small native program for the proxy tests against lldb-dap: a struct, an array, a secret. */
#include <stdio.h>
#include <string.h>

struct point { int x; int y; const char *label; };

static int area(struct point *p, int scale) {
    int result = p->x * p->y * scale;
    const char *password = "hunter2-NATIVE-secret";
    unsigned char raw[4] = {0xff, 0xfe, 0x00, 0x80};
    (void)raw;
    return result + (int)strlen(password) * 0; /* MARK:native */
}

int main(void) {
    int total = 0;
    int values[40];
    for (int i = 0; i < 40; i++) values[i] = i * i;
    for (int i = 1; i <= 3; i++) {
        struct point p = {i, i + 1, "pt"};
        total += area(&p, values[i]);
    }
    printf("total %d\n", total);
    return 0;
}
