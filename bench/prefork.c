// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * prefork: the start of a prefork server, for the --trace-fork cost
 * figures (bench/trace-fork.sh).
 *
 *	prefork [WORKERS [MIB]]
 *
 * The parent writes MIB MiB (default 64) of private anonymous memory, as
 * a server that loads its state, then forks WORKERS (default 32)
 * workers.  Each worker writes 1 MiB of its own and reports ready through
 * a pipe; once all are ready the parent closes the pipe, the workers
 * exit and the parent reaps them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void fill(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (size_t i = 0; i < bytes; i += 4096)
		p[i] = 1;
}

int main(int argc, char **argv)
{
	int workers = argc > 1 ? atoi(argv[1]) : 32;
	long mib = argc > 2 ? atol(argv[2]) : 64;
	int ready[2], go[2];
	char c;

	if (workers < 1 || workers > 4096 || mib < 0 || pipe(ready) || pipe(go)) {
		fprintf(stderr, "usage: prefork [WORKERS [MIB]]\n");
		return 2;
	}
	fill((size_t)mib << 20);
	for (int i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			close(ready[0]);
			close(go[1]);
			fill(1 << 20);
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			/* wait until the parent closes the pipe */
			while (read(go[0], &c, 1) > 0)
				;
			_exit(0);
		}
	}
	close(ready[1]);
	close(go[0]);
	for (int i = 0; i < workers; i++)
		if (read(ready[0], &c, 1) != 1)
			return 1;
	close(go[1]);
	while (wait(NULL) > 0)
		;
	return 0;
}
