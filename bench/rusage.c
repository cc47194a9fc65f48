/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * Runs a program for bench/bench.py and writes "WALL_MS MAX_RSS_KB CPU_MS"
 * of it to file descriptor FD:
 *
 *   rusage FD PROGRAM [ARGUMENT]...
 *
 * and exits with the program's exit status (128 + the signal that ended
 * it). Python cannot start the measured programs itself: Linux keeps a
 * process's peak RSS across fork() and exec(), so each of its children
 * would report at least Python's own peak (about 17 MiB, more than a check
 * or curl uses). This program's is about 1 MiB.
 */

#define _GNU_SOURCE

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
ms_of_timeval (struct timeval tv)
{
  return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0;
}

static double
ms_since (const struct timespec *start)
{
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC, &now);
  return (now.tv_sec - start->tv_sec) * 1000.0 + (now.tv_nsec - start->tv_nsec) / 1e6;
}

int
main (int   argc,
      char *argv[])
{
  static const char exec_failed[] = "rusage: the program cannot be started\n";
  struct timespec start;
  struct rusage usage;
  pid_t child;
  int report;
  int status;

  if (argc < 3)
    {
      fprintf (stderr, "usage: rusage FD PROGRAM [ARGUMENT]...\n");
      return 2;
    }

  report = atoi (argv[1]);
  if (fcntl (report, F_SETFD, FD_CLOEXEC) < 0)
    {
      perror ("rusage: the report's file descriptor");
      return 2;
    }

  /* vfork(), as Python's subprocess does: the program starts as fast as it
   * would from Python, and its peak RSS starts from this small process's. */
  clock_gettime (CLOCK_MONOTONIC, &start);
  child = vfork ();
  if (child < 0)
    {
      perror ("rusage: vfork");
      return 2;
    }
  if (child == 0)
    {
      /* bench.py's timeout kills this process: the program goes with it. */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      execvp (argv[2], argv + 2);
      if (write (STDERR_FILENO, exec_failed, strlen (exec_failed)) < 0)
        _exit (127);
      _exit (127);
    }

  if (wait4 (child, &status, 0, &usage) < 0)
    {
      perror ("rusage: wait4");
      return 2;
    }

  if (dprintf (report, "%.3f %ld %.3f\n", ms_since (&start), usage.ru_maxrss,
               ms_of_timeval (usage.ru_utime) + ms_of_timeval (usage.ru_stime)) < 0)
    {
      perror ("rusage: the report");
      return 2;
    }

  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}
