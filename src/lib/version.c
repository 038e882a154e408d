/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "vocana/vocana.h"
#include "vocana_config.h"

const char *vocana_version_string(void)
{
	return VOCANA_VERSION_STRING;
}

const char *vocana_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case -EBADMSG: return "corrupt or invalid model file";
	case -ENOTSUP: return "unsupported model version or architecture";
	case -EINVAL: return "invalid argument";
	case -ENOMEM: return "out of memory";
	/* From opening and reading model files. Our own table rather than strerror(), which
	 * is not required to be thread-safe and may return a buffer that the next call reuses. */
	case -ENOENT: return "no such file or directory";
	case -EACCES: return "permission denied";
	case -EISDIR: return "is a directory";
	case -EFBIG: return "file too large";
	case -EIO: return "input/output error";
	case -ENOSYS: return "not implemented";
	default: break;
	}
	if (err < 0 && err > -4096)
		return "system error";
	return "unknown error";
}
