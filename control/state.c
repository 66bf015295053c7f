/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controller's memory across restarts: the last topology it applied, as YAML (so a
 * person can read it, and `vswctl check -f` it), ended by one checksum line over every
 * byte before it:
 *
 *	# vsw-state crc32=1c291ca3 size=1234
 *
 * Written to PATH.tmp, fsync'ed, renamed over PATH and the directory fsync'ed, so a crash
 * leaves either the old file or the new one. A file cut short (a full disk, a copy that
 * stopped) or changed by hand fails the check and is refused as a whole: the controller
 * then says so loudly and keeps the dataplane as it runs rather than apply part of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrl.h"

#define STATE_TAG "# vsw-state crc32="
#define STATE_MAX_SIZE (64u << 20)

uint32_t state_crc32(const void *buf, size_t size)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < size; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static int mkdir_parents(const char *path)
{
	char buf[4096];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t size)
{
	while (size > 0) {
		ssize_t n = write(fd, buf, size);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		size -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *path)
{
	char buf[4096];
	int fd, rc = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int state_save(const char *path, const struct topo *t, char *err, size_t errsz)
{
	char tmp[4096], tail[80];
	char *body = NULL;
	size_t size = 0;
	FILE *f;
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errsz, "state file %s: path too long", path);
		return -ENAMETOOLONG;
	}
	f = open_memstream(&body, &size);
	if (f == NULL)
		goto out_nomem;
	fputs("# vsw-controller state: the topology last applied. Do not edit: the last line\n"
	      "# checksums the rest, and a file that fails it is refused as a whole.\n",
	      f);
	rc = topo_write_yaml(t, f);
	if (fclose(f) != 0 || body == NULL)
		goto out_nomem;
	if (rc < 0) {
		snprintf(err, errsz, "state file %s: cannot write the topology: %s", path,
			 strerror(-rc));
		goto out_free;
	}
	snprintf(tail, sizeof(tail), STATE_TAG "%08x size=%zu\n", state_crc32(body, size), size);

	rc = mkdir_parents(path);
	if (rc < 0) {
		snprintf(err, errsz, "state file %s: cannot create its directory: %s", path,
			 strerror(-rc));
		goto out_free;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "state file %s: %s", tmp, strerror(errno));
		goto out_free;
	}
	rc = write_all(fd, body, size);
	if (rc == 0)
		rc = write_all(fd, tail, strlen(tail));
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, errsz, "state file %s: cannot write it: %s", path, strerror(-rc));
		unlink(tmp);
		goto out_free;
	}
	rc = fsync_dir(path);
	if (rc < 0)
		snprintf(err, errsz,
			 "state file %s: written, but its directory cannot be synced: %s", path,
			 strerror(-rc));
out_free:
	free(body);
	return rc;
out_nomem:
	free(body);
	snprintf(err, errsz, "state file %s: out of memory", path);
	return -ENOMEM;
}

static int read_file(const char *path, char **buf, size_t *size)
{
	struct stat st;
	size_t off = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > STATE_MAX_SIZE) {
		rc = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out_close;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (*buf == NULL) {
		rc = -ENOMEM;
		goto out_close;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			free(*buf);
			*buf = NULL;
			goto out_close;
		}
		off += (size_t)n;
	}
	(*buf)[off] = '\0';
	*size = off;
out_close:
	close(fd);
	return rc;
}

int state_load(const char *path, struct topo **t, char *err, size_t errsz)
{
	struct topo_errors errs;
	char *buf = NULL, *last;
	unsigned long long want_size;
	unsigned int want_crc;
	size_t size = 0, body;
	char tail;
	int rc;

	*t = NULL;
	rc = read_file(path, &buf, &size);
	if (rc == -ENOENT)
		return rc;
	if (rc < 0) {
		snprintf(err, errsz, "state file %s: cannot read it: %s", path, strerror(-rc));
		return rc == -EFBIG || rc == -EINVAL ? -EBADMSG : rc;
	}
	/* the checksum line is the last one, newline-terminated */
	if (size == 0 || buf[size - 1] != '\n') {
		snprintf(err, errsz, "state file %s is truncated (no final checksum line)", path);
		rc = -EBADMSG;
		goto out_free;
	}
	buf[size - 1] = '\0';
	last = strrchr(buf, '\n');
	last = last != NULL ? last + 1 : buf;
	body = (size_t)(last - buf);
	if (strncmp(last, STATE_TAG, strlen(STATE_TAG)) != 0 ||
	    sscanf(last + strlen(STATE_TAG), "%8x size=%llu%c", &want_crc, &want_size, &tail) !=
		    2) {
		snprintf(err, errsz,
			 "state file %s is truncated or corrupted (its last line is not "
			 "the checksum line)",
			 path);
		rc = -EBADMSG;
		goto out_free;
	}
	if (want_size != body || state_crc32(buf, body) != want_crc) {
		snprintf(err, errsz,
			 "state file %s is corrupted: %zu bytes with crc32 %08x, the checksum line "
			 "says %llu bytes with crc32 %08x",
			 path, body, state_crc32(buf, body), want_size, want_crc);
		rc = -EBADMSG;
		goto out_free;
	}
	topo_errors_init(&errs);
	*t = topo_load_buf(path, buf, body, &errs);
	if (*t == NULL) {
		snprintf(err, errsz, "state file %s passes its checksum but does not load: %s",
			 path, errs.n ? errs.v[0].message : "unknown error");
		rc = -EBADMSG;
	}
	topo_errors_clear(&errs);
out_free:
	free(buf);
	return rc;
}
