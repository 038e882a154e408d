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
	default: break;
	}
	/* strerror() is not guaranteed thread-safe; glibc's is for known codes, but we keep our
	 * own table for the codes we produce and fall back to a fixed text. */
	if (err < 0 && err > -4096)
		return "system error (see errno)";
	return "unknown error";
}
