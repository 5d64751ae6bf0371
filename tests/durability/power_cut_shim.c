// An LD_PRELOAD library that records what a power cut would leave of one
// directory tree, so a test can SIGKILL a process and then roll the tree
// back to it (power_cut.py does the rollback).
//
// Environment:
//   MAILROOM_POWERCUT_DIR     the watched tree (absolute path); unset: the
//                             library does nothing
//   MAILROOM_POWERCUT_SHADOW  where the record is kept (outside the tree)
//
// The record, kept current at every fsync/fdatasync/syncfs/sync:
//   SHADOW/ino/<inode>.<generation>
//                       the content of that file when it was last synced
//   SHADOW/manifest     the namespace as of the last sync of anything:
//                       "d <path>" and "f <inode>.<generation> <path>"
//                       lines, paths
//                       relative to the tree
// At start the whole tree is taken as durable (a baseline record).
//
// The model of durability, and its limits:
//   - A file's data is durable up to the last fsync/fdatasync of that file
//     (any descriptor of the inode); writes after it are lost. A file never
//     synced comes back empty. Data is copied before the real sync, so a
//     write racing that sync may be kept (a lenient edge).
//   - Namespace changes (create, rename, unlink, mkdir) become durable with
//     the next completed sync of anything in the tree: journaling file
//     systems (ext4 data=ordered, XFS) commit metadata in order. Strict
//     POSIX needs an fsync of the directory itself; this model does not
//     require it, and would not catch a missing directory sync.
//   - O_SYNC/O_DSYNC writes, msync and sync_file_range are not counted as
//     syncs (stricter than reality: such data would be reported lost).
//   - A torn write inside one sync interval is not modelled: unsynced data
//     is lost whole.
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_root[PATH_MAX];
static char g_shadow[PATH_MAX];
static int g_active;

static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_syncfs)(int);
static void (*real_sync)(void);

// snprintf that reports whether the whole text fit (paths too long for the
// buffers are skipped rather than cut).
__attribute__((format(printf, 3, 4))) static int Format(char* out, size_t size,
                                                        const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, size, fmt, ap);
  va_end(ap);
  return n >= 0 && (size_t)n < size;
}

// The shim's own opens: straight to the kernel, past the wrappers below.
static int RawOpen(const char* path, int flags, int mode) {
  return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

// Writes all of buf, bypassing nothing the shim interposes (write() is not
// interposed).
static int WriteAll(int fd, const char* buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

// Copies the content of `src_fd` (from offset 0) to `path` atomically:
// a temporary file renamed into place, so a SIGKILL mid-copy leaves the
// previous record whole.
static void CopyToShadow(int src_fd, const char* path) {
  char tmp[PATH_MAX];
  if (!Format(tmp, sizeof tmp, "%s.tmp", path)) return;
  int out = RawOpen(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) return;
  char buf[1 << 16];
  off_t off = 0;
  int ok = 1;
  for (;;) {
    ssize_t n = pread(src_fd, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = 0;
      break;
    }
    if (n == 0) break;
    if (WriteAll(out, buf, (size_t)n) != 0) {
      ok = 0;
      break;
    }
    off += n;
  }
  close(out);
  if (ok) {
    rename(tmp, path);
  } else {
    unlink(tmp);
  }
}

// File systems reuse inode numbers, while the last recorded namespace may
// still name the old inode: each inode created here gets a generation, and
// the record is kept per (inode, generation). Guarded by g_mu.
enum { kInodeSlots = 1 << 16 };
static struct {
  ino_t ino;
  unsigned generation;
} g_inodes[kInodeSlots];
static unsigned g_next_generation = 1;

static unsigned* GenerationSlot(ino_t ino, int create) {
  for (unsigned i = 0; i < kInodeSlots; ++i) {
    unsigned slot = (unsigned)((ino + i) % kInodeSlots);
    if (g_inodes[slot].ino == ino) return &g_inodes[slot].generation;
    if (g_inodes[slot].ino == 0) {
      if (!create) return NULL;
      g_inodes[slot].ino = ino;
      return &g_inodes[slot].generation;
    }
  }
  return NULL;  // full: such a test is far larger than these tests
}

// The record's name for the inode: "<inode>.<generation>".
static int InodeKey(ino_t ino, char* out, size_t size) {
  unsigned* generation = GenerationSlot(ino, 0);
  return Format(out, size, "%llu.%u", (unsigned long long)ino,
                generation ? *generation : 0);
}

static int InodePath(ino_t ino, char* out, size_t size) {
  char key[64];
  return InodeKey(ino, key, sizeof key) &&
         Format(out, size, "%s/ino/%s", g_shadow, key);
}

// Appends the namespace under `dir` (relative path `rel`) to `out`.
static void WalkTree(FILE* out, const char* dir, const char* rel) {
  DIR* d = opendir(dir);
  if (d == NULL) return;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char path[PATH_MAX];
    char sub[PATH_MAX];
    if (!Format(path, sizeof path, "%s/%s", dir, e->d_name) ||
        !Format(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "",
                e->d_name)) {
      continue;
    }
    struct stat st;
    if (lstat(path, &st) != 0) continue;  // gone meanwhile
    if (S_ISDIR(st.st_mode)) {
      fprintf(out, "d %s\n", sub);
      WalkTree(out, path, sub);
    } else if (S_ISREG(st.st_mode)) {
      char key[64];
      if (InodeKey(st.st_ino, key, sizeof key)) fprintf(out, "f %s %s\n", key, sub);
    }
    // Sockets, FIFOs and symlinks carry no data worth restoring.
  }
  closedir(d);
}

// Rewrites the manifest: the tree's namespace is durable as it is now.
static void RecordNamespace(void) {
  char path[PATH_MAX], tmp[PATH_MAX];
  if (!Format(path, sizeof path, "%s/manifest", g_shadow) ||
      !Format(tmp, sizeof tmp, "%s.tmp", path)) {
    return;
  }
  FILE* out = fopen(tmp, "we");
  if (out == NULL) return;
  WalkTree(out, g_root, "");
  if (fclose(out) == 0) rename(tmp, path);
}

// True when `fd` is a regular file or directory inside the watched tree.
static int InTree(int fd, struct stat* st) {
  char link[64], target[PATH_MAX];
  if (!Format(link, sizeof link, "/proc/self/fd/%d", fd)) return 0;
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0) return 0;
  target[n] = '\0';
  size_t root_len = strlen(g_root);
  if (strncmp(target, g_root, root_len) != 0 ||
      (target[root_len] != '/' && target[root_len] != '\0')) {
    return 0;
  }
  return fstat(fd, st) == 0;
}

// Called before a real sync of `fd` (-1: every file).
static void RecordSync(int fd) {
  if (!g_active) return;
  int saved = errno;
  pthread_mutex_lock(&g_mu);
  struct stat st;
  if (fd >= 0 && InTree(fd, &st)) {
    if (S_ISREG(st.st_mode)) {
      // `fd` may be write-only: read the inode through a fresh descriptor.
      char self[64], path[PATH_MAX];
      int reader = -1;
      if (Format(self, sizeof self, "/proc/self/fd/%d", fd)) {
        reader = RawOpen(self, O_RDONLY | O_CLOEXEC, 0);
      }
      if (reader >= 0) {
        if (InodePath(st.st_ino, path, sizeof path)) CopyToShadow(reader, path);
        close(reader);
      }
    }
    RecordNamespace();
  }
  pthread_mutex_unlock(&g_mu);
  errno = saved;
}

// Records every file under `dir` as synced (the baseline, or sync()).
static void RecordEverything(const char* dir) {
  DIR* d = opendir(dir);
  if (d == NULL) return;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char path[PATH_MAX];
    if (!Format(path, sizeof path, "%s/%s", dir, e->d_name)) continue;
    struct stat st;
    if (lstat(path, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      RecordEverything(path);
    } else if (S_ISREG(st.st_mode)) {
      int fd = RawOpen(path, O_RDONLY | O_CLOEXEC, 0);
      if (fd < 0) continue;
      char shadow[PATH_MAX];
      if (InodePath(st.st_ino, shadow, sizeof shadow)) CopyToShadow(fd, shadow);
      close(fd);
    }
  }
  closedir(d);
}

static void RecordAll(void) {
  if (!g_active) return;
  int saved = errno;
  pthread_mutex_lock(&g_mu);
  RecordEverything(g_root);
  RecordNamespace();
  pthread_mutex_unlock(&g_mu);
  errno = saved;
}

__attribute__((constructor)) static void Init(void) {
  real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  real_syncfs = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
  real_sync = (void (*)(void))dlsym(RTLD_NEXT, "sync");
  const char* root = getenv("MAILROOM_POWERCUT_DIR");
  const char* shadow = getenv("MAILROOM_POWERCUT_SHADOW");
  if (root == NULL || shadow == NULL || root[0] != '/') return;
  if (!Format(g_root, sizeof g_root, "%s", root) ||
      !Format(g_shadow, sizeof g_shadow, "%s", shadow)) {
    return;
  }
  size_t len = strlen(g_root);
  while (len > 1 && g_root[len - 1] == '/') g_root[--len] = '\0';
  char ino_dir[PATH_MAX];
  if (!Format(ino_dir, sizeof ino_dir, "%s/ino", g_shadow)) return;
  mkdir(g_shadow, 0700);
  mkdir(ino_dir, 0700);
  mkdir(g_root, 0700);
  g_active = 1;
  RecordAll();
}

// A new inode has no synced content yet, whatever an earlier inode of the
// same number left in the record: it gets a generation of its own.
static void ForgetIfCreated(int fd, int existed) {
  if (!g_active || fd < 0 || existed) return;
  int saved = errno;
  struct stat st;
  if (InTree(fd, &st) && S_ISREG(st.st_mode)) {
    pthread_mutex_lock(&g_mu);
    unsigned* generation = GenerationSlot(st.st_ino, 1);
    if (generation != NULL) *generation = g_next_generation++;
    pthread_mutex_unlock(&g_mu);
  }
  errno = saved;
}

static int Existed(int dirfd, const char* path, int flags) {
  if (!g_active || !(flags & O_CREAT)) return 1;
  struct stat st;
  int saved = errno;
  int r = fstatat(dirfd, path, &st, 0);
  errno = saved;
  return r == 0;
}

static int OpenMode(int flags, va_list ap) {
  return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, int) : 0;
}

// The open family: the real open, with a file this call created given a
// fresh generation (its inode number may be one a deleted file had).
static int OpenAt(int dirfd, const char* path, int flags, int mode) {
  int existed = Existed(dirfd, path, flags);
  int fd = (int)syscall(SYS_openat, dirfd, path, flags, mode);
  ForgetIfCreated(fd, existed);
  return fd;
}

#define MODE_ARG(flags, mode)      \
  va_list ap;                      \
  va_start(ap, flags);             \
  int mode = OpenMode(flags, ap);  \
  va_end(ap)

int open(const char* path, int flags, ...) {
  MODE_ARG(flags, mode);
  return OpenAt(AT_FDCWD, path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  MODE_ARG(flags, mode);
  return OpenAt(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

int openat(int dirfd, const char* path, int flags, ...) {
  MODE_ARG(flags, mode);
  return OpenAt(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char* path, int flags, ...) {
  MODE_ARG(flags, mode);
  return OpenAt(dirfd, path, flags | O_LARGEFILE, mode);
}

int creat(const char* path, mode_t mode) {
  return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

int creat64(const char* path, mode_t mode) {
  return open64(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

int fsync(int fd) {
  RecordSync(fd);
  return real_fsync(fd);
}

int fdatasync(int fd) {
  RecordSync(fd);
  return real_fdatasync(fd);
}

int syncfs(int fd) {
  RecordAll();
  return real_syncfs(fd);
}

void sync(void) {
  RecordAll();
  real_sync();
}
